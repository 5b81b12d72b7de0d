import Foundation
import PostgresNIO
import Tenancy

/// A motif's own reminders (`motifs.reminder_policy`), which replace the département's.
public struct MotifReminderPolicy: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// The motif's own policy; nil when it follows the département's.
    public func policy(of motifID: UUID) async throws -> ReminderPolicy? {
        for try await text in try await connection.query("SELECT reminder_policy::text FROM motifs WHERE id = \(motifID)").decode(String?.self) {
            return text.flatMap { try? JSONDecoder().decode(ReminderPolicy.self, from: Data($0.utf8)) }
        }
        return nil
    }

    public func set(_ policy: ReminderPolicy?, of motifID: UUID) async throws {
        let json = policy.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        try await connection.query("UPDATE motifs SET reminder_policy = \(json)::jsonb WHERE id = \(motifID)")
    }
}
