import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// A plage d'ouverture: when an agent receives, where, for which motifs.
public struct Plage: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let agentID: UUID
    public let lieuID: UUID
    public let span: RecurringSpan
    public let motifIDs: Set<UUID>
}

/// Plages d'ouverture and absences of the département whose transaction this is.
public struct PlageRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    @discardableResult
    public func create(agentID: UUID, lieuID: UUID, span: RecurringSpan, motifIDs: [UUID]) async throws -> UUID {
        let rows = try await connection.query(
            """
            INSERT INTO plages_ouverture (agent_id, lieu_id, first_day, start_time, end_time, recurrence)
            VALUES (\(agentID), \(lieuID), \(span.firstDay.description)::date, \(span.start.description)::time,
                    \(span.end.description)::time, \(span.recurrence.json)::jsonb)
            RETURNING id
            """
        )
        var plageID: UUID?
        for try await id in rows.decode(UUID.self) { plageID = id }
        guard let plageID else { throw MissingReturnedRow("plages_ouverture") }
        for motifID in motifIDs {
            try await connection.query("INSERT INTO plage_motifs (plage_id, motif_id) VALUES (\(plageID), \(motifID))")
        }
        return plageID
    }

    /// Changes the whole series: lieu, days, hours, recurrence and motifs. Changes already made
    /// to single occurrences stay attached to their original days.
    public func update(_ plageID: UUID, lieuID: UUID, span: RecurringSpan, motifIDs: [UUID]) async throws {
        try await connection.query(
            """
            UPDATE plages_ouverture SET lieu_id = \(lieuID), first_day = \(span.firstDay.description)::date,
                start_time = \(span.start.description)::time, end_time = \(span.end.description)::time,
                recurrence = \(span.recurrence.json)::jsonb
            WHERE id = \(plageID)
            """
        )
        try await connection.query("DELETE FROM plage_motifs WHERE plage_id = \(plageID)")
        for motifID in motifIDs {
            try await connection.query("INSERT INTO plage_motifs (plage_id, motif_id) VALUES (\(plageID), \(motifID))")
        }
    }

    /// Ends a series after `lastDay`; a series that has not started by then disappears.
    /// Appointments already booked stay: they are not part of the plage.
    public func end(_ plage: Plage, after lastDay: LocalDate) async throws {
        if lastDay < plage.span.firstDay {
            try await connection.query("DELETE FROM plages_ouverture WHERE id = \(plage.id)")
        } else if plage.span.recurrence != .once {
            try await connection.query(
                "UPDATE plages_ouverture SET recurrence = \(plage.span.recurrence.ending(on: lastDay).json)::jsonb WHERE id = \(plage.id)"
            )
        }
    }

    /// Changes one occurrence only; the series stays as it is.
    public func change(plage plageID: UUID, on day: LocalDate, to change: OccurrenceChange) async throws {
        switch change {
        case .cancelled:
            try await connection.query(
                """
                INSERT INTO plage_exceptions (plage_id, original_day, cancelled) VALUES (\(plageID), \(day.description)::date, true)
                ON CONFLICT (plage_id, original_day) DO UPDATE SET cancelled = true, moved_day = NULL, moved_start = NULL, moved_end = NULL
                """
            )
        case .moved(let date, let start, let end):
            try await connection.query(
                """
                INSERT INTO plage_exceptions (plage_id, original_day, cancelled, moved_day, moved_start, moved_end)
                VALUES (\(plageID), \(day.description)::date, false, \(date.description)::date, \(start.description)::time, \(end.description)::time)
                ON CONFLICT (plage_id, original_day) DO UPDATE SET cancelled = false, moved_day = excluded.moved_day,
                    moved_start = excluded.moved_start, moved_end = excluded.moved_end
                """
            )
        }
    }

    /// Plages offering `motifID` at enabled lieux, with their exceptions (not their other motifs).
    public func offering(motifID: UUID) async throws -> [Plage] {
        try await load(withMotifs: false,
            """
            SELECT p.id, p.agent_id, p.lieu_id, p.first_day::text, p.start_time::text, p.end_time::text, p.recurrence::text
            FROM plages_ouverture p
            JOIN plage_motifs pm ON pm.plage_id = p.id AND pm.motif_id = \(motifID)
            JOIN lieux l ON l.id = p.lieu_id AND l.status <> 'disabled'
            """
        )
    }

    /// One plage, whoever's it is; `lock` holds its row until the transaction ends.
    public func find(_ plageID: UUID, lock: Bool = false) async throws -> Plage? {
        try await load(withMotifs: true,
            """
            SELECT p.id, p.agent_id, p.lieu_id, p.first_day::text, p.start_time::text, p.end_time::text, p.recurrence::text
            FROM plages_ouverture p WHERE p.id = \(plageID) \(unescaped: lock ? "FOR UPDATE" : "")
            """
        ).first
    }

    /// Deletes a plage; its motifs and exceptions go with it (ON DELETE CASCADE).
    public func delete(_ plageID: UUID) async throws {
        try await connection.query("DELETE FROM plages_ouverture WHERE id = \(plageID)")
    }

    /// Plages of one agent.
    public func of(agentID: UUID) async throws -> [Plage] {
        try await load(withMotifs: true,
            """
            SELECT p.id, p.agent_id, p.lieu_id, p.first_day::text, p.start_time::text, p.end_time::text, p.recurrence::text
            FROM plages_ouverture p WHERE p.agent_id = \(agentID)
            """
        )
    }

    private func load(withMotifs: Bool, _ query: PostgresQuery) async throws -> [Plage] {
        var rows: [(UUID, UUID, UUID, String, String, String, String)] = []
        for try await row in try await connection.query(query).decode((UUID, UUID, UUID, String, String, String, String).self) {
            rows.append(row)
        }
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.0)
        var exceptions: [UUID: [LocalDate: OccurrenceChange]] = [:]
        for try await (plageID, original, cancelled, movedDay, movedStart, movedEnd) in try await connection.query(
            """
            SELECT plage_id, original_day::text, cancelled, moved_day::text, moved_start::text, moved_end::text
            FROM plage_exceptions WHERE plage_id = ANY(\(ids))
            """
        ).decode((UUID, String, Bool, String?, String?, String?).self) {
            guard let day = LocalDate(iso: original) else { continue }
            if cancelled {
                exceptions[plageID, default: [:]][day] = .cancelled
            } else if let date = movedDay.flatMap(LocalDate.init(iso:)), let start = movedStart.flatMap(Self.time), let end = movedEnd.flatMap(Self.time) {
                exceptions[plageID, default: [:]][day] = .moved(date: date, start: start, end: end)
            }
        }
        var motifs: [UUID: Set<UUID>] = [:]
        if withMotifs {
            for try await (plageID, motifID) in try await connection.query(
                "SELECT plage_id, motif_id FROM plage_motifs WHERE plage_id = ANY(\(ids))"
            ).decode((UUID, UUID).self) {
                motifs[plageID, default: []].insert(motifID)
            }
        }
        return rows.compactMap { id, agent, lieu, first, start, end, recurrence in
            guard let first = LocalDate(iso: first), let start = Self.time(start), let end = Self.time(end),
                  let recurrence = Recurrence(json: recurrence)
            else { return nil }
            let span = RecurringSpan(firstDay: first, start: start, end: end, recurrence: recurrence, exceptions: exceptions[id] ?? [:])
            return Plage(id: id, agentID: agent, lieuID: lieu, span: span, motifIDs: motifs[id] ?? [])
        }
    }

    /// PostgreSQL prints `time` as `HH:MM:SS`.
    static func time(_ text: String) -> LocalTime? { LocalTime(String(text.prefix(5))) }
}
