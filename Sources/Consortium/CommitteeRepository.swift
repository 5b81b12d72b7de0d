import PostgresNIO
import Scheduling
import Tenancy

/// SQL of the committee log.
struct CommitteeRepository: Sendable {
    let connection: SharedConnection

    func all() async throws -> [CommitteeMeeting] {
        let rows = try await connection.query(
            """
            SELECT m.id, m.held_on::text, m.kind, m.minutes_url,
                   coalesce(array_agg(t.name ORDER BY t.name) FILTER (WHERE t.name IS NOT NULL), '{}')
            FROM shared.committee_meetings m
            LEFT JOIN shared.committee_attendances a ON a.meeting_id = m.id
            LEFT JOIN shared.tenants t ON t.id = a.tenant_id
            GROUP BY m.id ORDER BY m.held_on DESC, m.id DESC
            """
        )
        var meetings: [CommitteeMeeting] = []
        for try await (id, heldOn, kind, minutes, names) in rows.decode((Int, String, String, String?, [String]).self) {
            guard let heldOn = LocalDate(iso: heldOn), let kind = CommitteeMeeting.Kind(rawValue: kind) else { continue }
            meetings.append(CommitteeMeeting(id: id, heldOn: heldOn, kind: kind, attendees: names, minutesURL: minutes))
        }
        return meetings
    }

    func add(heldOn: LocalDate, kind: CommitteeMeeting.Kind, attendees: [Int], minutesURL: String?) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO shared.committee_meetings (held_on, kind, minutes_url)
            VALUES (\(heldOn.description)::date, \(kind.rawValue), \(minutesURL)) RETURNING id
            """
        ).collect()
        guard let row = rows.first else { throw MissingReturnedRow("committee meeting") }
        let id = try row.decode(Int.self)
        try await connection.query(
            """
            INSERT INTO shared.committee_attendances (meeting_id, tenant_id)
            SELECT \(id), t.id FROM shared.tenants t WHERE t.id = ANY(\(attendees)::integer[])
            """
        )
        return id
    }

    func delete(id: Int) async throws -> Bool {
        try await connection.query("DELETE FROM shared.committee_meetings WHERE id = \(id) RETURNING id").collect().count > 0
    }
}
