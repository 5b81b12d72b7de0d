import Agenda
import Foundation
import PostgresNIO
import Tenancy

/// An appointment as its usager sees it: no agent, no notes.
public struct PublicRdv: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let motifID: UUID
    public let motifName: String
    public let lieuID: UUID?
    public let lieuName: String?
    public let lieuAddress: String?
    public let start: Date
    public let end: Date
    public let status: RdvStatus
    public let collective: Bool
    public let agentIDs: [UUID]
    /// The first participant: the person received.
    public let attendeeID: UUID
    public let attendeeFirstName: String
    public let attendeeLastName: String
    /// Accounts that may manage it without the name check: the attendee's, or their responsible's.
    public let accountIDs: Set<UUID>
}

/// Reading and changing appointments on behalf of their usager.
public struct PublicRdvRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func find(_ rdvID: UUID) async throws -> PublicRdv? {
        for try await row in try await connection.query(
            """
            SELECT r.id, r.motif_id, m.name, r.lieu_id, l.name, l.address, r.starts_at, r.ends_at, r.status, r.capacity IS NOT NULL,
                   (SELECT coalesce(array_agg(agent_id), '{}') FROM rdv_agents WHERE rdv_id = r.id),
                   u.id, u.first_name, u.last_name,
                   array_remove(ARRAY[u.account_id, (SELECT account_id FROM usagers WHERE id = u.responsible_id)], NULL)
            FROM rdvs r
            JOIN motifs m ON m.id = r.motif_id
            LEFT JOIN lieux l ON l.id = r.lieu_id
            JOIN LATERAL (SELECT usager_id FROM rdv_participants WHERE rdv_id = r.id ORDER BY created_at LIMIT 1) p ON true
            JOIN usagers u ON u.id = p.usager_id
            WHERE r.id = \(rdvID)
            """
        ).decode((UUID, UUID, String, UUID?, String?, String?, Date, Date, String, Bool, [UUID], UUID, String, String, [UUID]).self) {
            return PublicRdv(
                id: row.0, motifID: row.1, motifName: row.2, lieuID: row.3, lieuName: row.4, lieuAddress: row.5, start: row.6, end: row.7,
                status: RdvStatus(rawValue: row.8) ?? .unknown, collective: row.9, agentIDs: row.10,
                attendeeID: row.11, attendeeFirstName: row.12, attendeeLastName: row.13, accountIDs: Set(row.14)
            )
        }
        return nil
    }

    /// Appointments of the usagers of an account and of their relatives, latest first.
    public func of(accountID: UUID) async throws -> [PublicRdv] {
        var ids: [UUID] = []
        for try await id in try await connection.query(
            """
            SELECT DISTINCT r.id, r.starts_at FROM rdvs r JOIN rdv_participants p ON p.rdv_id = r.id JOIN usagers u ON u.id = p.usager_id
            WHERE u.account_id = \(accountID) OR u.responsible_id IN (SELECT id FROM usagers WHERE account_id = \(accountID))
            ORDER BY r.starts_at DESC LIMIT 100
            """
        ).decode((UUID, Date).self).map(\.0) { ids.append(id) }
        var found: [PublicRdv] = []
        for id in ids { if let rdv = try await find(id) { found.append(rdv) } }
        return found
    }

    /// The usager cancels: the whole appointment, or only their seat in a collective one. The time
    /// is free again at once.
    public func cancel(_ rdv: PublicRdv) async throws {
        if rdv.collective {
            try await connection.query(
                "UPDATE rdv_participants SET status = 'excused' WHERE rdv_id = \(rdv.id) AND usager_id = \(rdv.attendeeID)"
            )
            try await RdvRepository(connection).record(rdv.id, "participant_excused", agent: nil)
        } else {
            try await RdvRepository(connection).setStatus(rdv.id, to: .excused, byAgent: nil)
        }
    }
}
