import Foundation
import PostgresNIO
import Tenancy

/// Changes to a booked appointment: its time, its agents, its notes. PostgreSQL's exclusion
/// constraint still has the last word on every agent's time.
extension RdvRepository {
    /// Moves an appointment to `start`, keeping its length; `slotTaken` when an agent is busy then.
    public func move(_ rdvID: UUID, to start: Date, byAgent agentID: UUID?) async throws {
        let rows = try await connection.query(
            """
            UPDATE rdvs SET starts_at = \(start), ends_at = \(start) + (ends_at - starts_at), updated_at = now()
            WHERE id = \(rdvID) RETURNING ends_at
            """
        )
        var end: Date?
        for try await value in rows.decode(Date.self) { end = value }
        guard let end else { throw BookingError.rdvNotFound }
        do {
            try await connection.query("UPDATE rdv_agents SET during = tstzrange(\(start), \(end), '[)') WHERE rdv_id = \(rdvID)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23P01" {
            throw BookingError.slotTaken
        }
        try await record(rdvID, "moved", agent: agentID)
    }

    /// Adds an agent to an appointment; `slotTaken` when that agent is busy then.
    public func addAgent(_ newAgentID: UUID, to rdvID: UUID, byAgent agentID: UUID?) async throws {
        do {
            let rows = try await connection.query(
                """
                INSERT INTO rdv_agents (rdv_id, agent_id, during, active)
                SELECT id, \(newAgentID), tstzrange(starts_at, ends_at, '[)'), status = 'unknown' FROM rdvs WHERE id = \(rdvID)
                ON CONFLICT (rdv_id, agent_id) DO NOTHING RETURNING rdv_id
                """
            )
            var added = false
            for try await _ in rows { added = true }
            guard added else { return }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23P01" {
            throw BookingError.slotTaken
        }
        try await record(rdvID, "agent_added", agent: agentID)
    }

    /// Removes an agent from an appointment, never the last one.
    public func removeAgent(_ oldAgentID: UUID, from rdvID: UUID, byAgent agentID: UUID?) async throws {
        let rows = try await connection.query(
            """
            DELETE FROM rdv_agents WHERE rdv_id = \(rdvID) AND agent_id = \(oldAgentID)
              AND (SELECT count(*) FROM rdv_agents WHERE rdv_id = \(rdvID)) > 1
            RETURNING rdv_id
            """
        )
        var removed = false
        for try await _ in rows { removed = true }
        if removed { try await record(rdvID, "agent_removed", agent: agentID) }
    }

    /// The agents' notes on an appointment (never shown to usagers).
    public func setNotes(_ rdvID: UUID, _ notes: String, byAgent agentID: UUID?) async throws {
        try await connection.query("UPDATE rdvs SET notes = \(notes), updated_at = now() WHERE id = \(rdvID)")
        try await record(rdvID, "notes", agent: agentID)
    }
}
