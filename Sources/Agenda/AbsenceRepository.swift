import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// An absence of an agent, repeating like a plage.
public struct Absence: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let title: String
    public let span: RecurringSpan
}

/// Absences of agents: they block the agent everywhere in the département.
public struct AbsenceRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    @discardableResult
    public func create(agentID: UUID, title: String, span: RecurringSpan) async throws -> UUID {
        let rows = try await connection.query(
            """
            INSERT INTO absences (agent_id, title, first_day, start_time, end_time, recurrence)
            VALUES (\(agentID), \(title), \(span.firstDay.description)::date, \(span.start.description)::time,
                    \(span.end.description)::time, \(span.recurrence.json)::jsonb)
            RETURNING id
            """
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw MissingReturnedRow("absences")
    }

    /// Absences of one agent, with their ids.
    public func of(agentID: UUID) async throws -> [Absence] {
        var absences: [Absence] = []
        for try await (id, title, first, start, end, recurrence) in try await connection.query(
            """
            SELECT id, title, first_day::text, start_time::text, end_time::text, recurrence::text
            FROM absences WHERE agent_id = \(agentID) ORDER BY first_day
            """
        ).decode((UUID, String, String, String, String, String).self) {
            guard let first = LocalDate(iso: first), let start = PlageRepository.time(start), let end = PlageRepository.time(end),
                  let recurrence = Recurrence(json: recurrence)
            else { continue }
            absences.append(Absence(id: id, title: title, span: RecurringSpan(firstDay: first, start: start, end: end, recurrence: recurrence)))
        }
        return absences
    }

    public func update(_ absenceID: UUID, title: String, span: RecurringSpan) async throws {
        try await connection.query(
            """
            UPDATE absences SET title = \(title), first_day = \(span.firstDay.description)::date, start_time = \(span.start.description)::time,
                end_time = \(span.end.description)::time, recurrence = \(span.recurrence.json)::jsonb
            WHERE id = \(absenceID)
            """
        )
    }

    public func delete(_ absenceID: UUID) async throws {
        try await connection.query("DELETE FROM absences WHERE id = \(absenceID)")
    }

    /// Absences of each of `agentIDs`.
    public func spans(of agentIDs: [UUID]) async throws -> [UUID: [RecurringSpan]] {
        var spans: [UUID: [RecurringSpan]] = [:]
        for try await (agent, first, start, end, recurrence) in try await connection.query(
            """
            SELECT agent_id, first_day::text, start_time::text, end_time::text, recurrence::text
            FROM absences WHERE agent_id = ANY(\(agentIDs))
            """
        ).decode((UUID, String, String, String, String).self) {
            guard let first = LocalDate(iso: first), let start = PlageRepository.time(start), let end = PlageRepository.time(end),
                  let recurrence = Recurrence(json: recurrence)
            else { continue }
            spans[agent, default: []].append(RecurringSpan(firstDay: first, start: start, end: end, recurrence: recurrence))
        }
        return spans
    }
}
