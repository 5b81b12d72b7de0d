import Foundation
import PostgresNIO
import Tenancy

/// The SEQUENCE of an appointment's calendar event: how many times its time or status changed.
/// Invitations, the `.ics` download and the agents' feeds read it from here, so that a calendar
/// holding the invitation takes the feed's version of the same event as the same or a newer one.
public struct AppointmentSequences: Sendable {
    let connection: TenantConnection

    /// The history entries that change what a calendar shows.
    static let counted = "(action = 'moved' OR action LIKE 'status:%')"

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func of(_ rdvID: UUID) async throws -> Int {
        try await of([rdvID])[rdvID] ?? 0
    }

    /// Sequences of several appointments; one with no counted change is absent (its sequence is 0).
    public func of(_ rdvIDs: [UUID]) async throws -> [UUID: Int] {
        var sequences: [UUID: Int] = [:]
        for try await (id, count) in try await connection.query(
            """
            SELECT rdv_id, count(*)::int FROM rdv_events
            WHERE rdv_id = ANY(\(rdvIDs)) AND \(unescaped: Self.counted) GROUP BY rdv_id
            """
        ).decode((UUID, Int).self) { sequences[id] = count }
        return sequences
    }
}
