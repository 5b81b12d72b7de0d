import Agenda
import Foundation
import PostgresNIO
import Tenancy

/// Why two usager records cannot be merged.
public enum UsagerMergeError: DomainError, Equatable {
    case sameRecord
    /// A person and the relative they answer for are two people.
    case relatives
    /// Each has an online account: the person must keep one, which only they can choose.
    case twoAccounts

    public var refusal: Refusal { .conflict }

    public var title: String { "Fusion impossible" }

    public var french: String {
        switch self {
        case .sameRecord: "Choisissez une autre fiche que celle-ci."
        case .relatives: "Une personne et son proche sont deux personnes : leurs fiches ne se fusionnent pas."
        case .twoAccounts: "Les deux fiches ont chacune un compte en ligne : la personne doit d’abord supprimer l’un des deux."
        }
    }
}

/// Two records of the same person become one: the kept record takes the other's appointments,
/// relatives and referents, and its missing birth date, contacts and address; the other is deleted (its
/// partners hear of it by webhook). In the caller's transaction.
public struct UsagerMerge: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Records that look like the same person: same names and birth date, or the same phone or
    /// email; at most 20, never a relative of the record or the person it answers for.
    public func duplicates(of usager: Usager) async throws -> [Usager] {
        let all = try await UsagerRepository(connection).duplicateCandidates(
            firstName: usager.firstName, lastName: usager.lastName, birthDate: usager.birthDate, phone: usager.phone, email: usager.email
        )
        return all.filter { $0.id != usager.id && $0.responsibleID != usager.id && $0.id != usager.responsibleID }
    }

    /// Merges `absorbedID` into `keptID`; returns the number of appointments moved.
    @discardableResult
    public func merge(_ absorbedID: UUID, into keptID: UUID) async throws -> Int {
        guard absorbedID != keptID else { throw UsagerMergeError.sameRecord }
        let usagers = UsagerRepository(connection)
        // Locked in a fixed order, so that two merges of the same pair cannot deadlock.
        let (low, high) = absorbedID.uuidString < keptID.uuidString ? (absorbedID, keptID) : (keptID, absorbedID)
        let first = try await usagers.find(low, lock: true), second = try await usagers.find(high, lock: true)
        guard let first, let second else { throw BookingError.rdvNotFound }
        let (kept, absorbed) = first.id == keptID ? (first, second) : (second, first)
        if kept.responsibleID == absorbed.id || absorbed.responsibleID == kept.id { throw UsagerMergeError.relatives }
        var accounts = 0
        for try await count in try await connection.query(
            "SELECT count(account_id)::int FROM usagers WHERE id = ANY(\([kept.id, absorbed.id]))"
        ).decode(Int.self) { accounts = count }
        if accounts == 2 { throw UsagerMergeError.twoAccounts }

        // An appointment both attend keeps the kept record's seat.
        try await connection.query(
            """
            DELETE FROM rdv_participants p WHERE p.usager_id = \(absorbed.id)
              AND EXISTS (SELECT 1 FROM rdv_participants k WHERE k.rdv_id = p.rdv_id AND k.usager_id = \(kept.id))
            """
        )
        var moved: [UUID] = []
        for try await rdvID in try await connection.query(
            "UPDATE rdv_participants SET usager_id = \(kept.id) WHERE usager_id = \(absorbed.id) RETURNING rdv_id"
        ).decode(UUID.self) { moved.append(rdvID) }
        for rdvID in moved { try await RdvRepository(connection).record(rdvID, "usager_merged", agent: nil) }
        try await connection.query(
            """
            INSERT INTO usager_referents (usager_id, agent_id) SELECT \(kept.id), agent_id FROM usager_referents WHERE usager_id = \(absorbed.id)
            ON CONFLICT DO NOTHING
            """
        )
        try await connection.query("UPDATE usagers SET responsible_id = \(kept.id) WHERE responsible_id = \(absorbed.id)")
        let account = try await accountID(of: absorbed.id)
        try await connection.query("UPDATE usagers SET account_id = NULL WHERE id = \(absorbed.id)")
        try await usagers.fillMissing(of: kept.id, birthDate: absorbed.birthDate, phone: absorbed.phone, email: absorbed.email, address: absorbed.address)
        if let account { try await connection.query("UPDATE usagers SET account_id = coalesce(account_id, \(account)) WHERE id = \(kept.id)") }
        try await connection.query("DELETE FROM usagers WHERE id = \(absorbed.id)")
        return moved.count
    }

    private func accountID(of usagerID: UUID) async throws -> UUID? {
        for try await id in try await connection.query("SELECT account_id FROM usagers WHERE id = \(usagerID)").decode(UUID?.self) { return id }
        return nil
    }
}
