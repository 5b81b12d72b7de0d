import Agenda
import Foundation
import PostgresNIO
import Tenancy

/// An address as the booking flow carries it: a commune of the département and maybe a street.
public struct BookingAddress: Codable, Sendable, Hashable {
    public var communeCode: String
    public var communeName: String
    public var street: String?

    public init(communeCode: String, communeName: String, street: String?) {
        self.communeCode = communeCode
        self.communeName = communeName
        self.street = street
    }
}

/// A motif the public may book online, with what its page shows.
public struct OnlineMotif: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let name: String
    public let serviceID: UUID
    public let serviceName: String
    public let organisationID: UUID
    public let durationMinutes: Int
    public let instructionsBefore: String
    public let level: SectorisationLevel
}

/// What a person at an address may book online: motifs open to everyone, filtered by each
/// motif's sectorisation level, and the agents who may receive them (nil: any agent).
public struct OnlineOffer: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Whether the département sectorises any online motif, so that the flow must ask for an address.
    public func needsAddress() async throws -> Bool {
        for try await _ in try await connection.query(
            """
            SELECT 1 FROM motifs WHERE archived_at IS NULL AND online_booking AND bookable_by = 'everyone'
              AND sectorisation_level <> 'departement' LIMIT 1
            """
        ) { return true }
        return false
    }

    /// Motifs open to online booking that this address may book (all département-wide ones when no address).
    public func motifs(for address: BookingAddress?) async throws -> [OnlineMotif] {
        let all = try await all()
        let match = try await match(address)
        return all.filter { (try? agents(for: $0, match: match)) != .some(.some([])) }
    }

    func all() async throws -> [OnlineMotif] {
        var all: [OnlineMotif] = []
        for try await (id, name, serviceID, serviceName, organisationID, duration, instructions, level) in try await connection.query(
            """
            SELECT m.id, m.name, s.id, s.name, m.organisation_id, m.duration_minutes, m.instructions_before, m.sectorisation_level
            FROM motifs m JOIN services s ON s.id = m.service_id
            WHERE m.archived_at IS NULL AND m.online_booking AND m.bookable_by = 'everyone' AND NOT m.follow_up_only
            ORDER BY s.name, m.name
            """
        ).decode((UUID, String, UUID, String, UUID, Int, String, String).self) {
            all.append(OnlineMotif(
                id: id, name: name, serviceID: serviceID, serviceName: serviceName, organisationID: organisationID,
                durationMinutes: duration, instructionsBefore: instructions, level: SectorisationLevel(rawValue: level) ?? .departement
            ))
        }
        return all
    }

    /// The agents who may receive this address for `motif`: nil for any agent, an empty set for nobody.
    public func agents(for motif: OnlineMotif, address: BookingAddress?) async throws -> Set<UUID>? {
        try agents(for: motif, match: try await match(address))
    }

    func match(_ address: BookingAddress?) async throws -> SectorMatch? {
        guard let address else { return nil }
        return try await SectorRepository(connection).resolve(communeCode: address.communeCode, street: address.street)
    }

    func agents(for motif: OnlineMotif, match: SectorMatch?) throws -> Set<UUID>? {
        switch motif.level {
        case .departement:
            return nil
        case .organisation:
            // The sector is the organisation's as a whole, or through one of its agents.
            let served = (match?.organisations.contains { $0.id == motif.organisationID } ?? false)
                || (match?.agents.contains { $0.organisationID == motif.organisationID } ?? false)
            return served ? nil : []
        case .agent:
            return Set(match?.agents.filter { $0.organisationID == motif.organisationID }.map(\.id) ?? [])
        }
    }

    /// One online motif by id, sectorisation aside.
    public func motif(_ motifID: UUID, ignoringSectors: Bool) async throws -> OnlineMotif? {
        try await all().first { $0.id == motifID }
    }

    /// One online motif by id, as `motifs(for:)` would list it (nil when not open online).
    public func motif(_ motifID: UUID, for address: BookingAddress?) async throws -> OnlineMotif? {
        try await motifs(for: address).first { $0.id == motifID }
    }
}
