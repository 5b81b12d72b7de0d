import Foundation
import PostgresNIO
import Tenancy

/// A lieu where usagers are received.
public struct Lieu: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let organisationID: UUID
    public let name: String
    public let address: String
    public var phone: String? = nil
    public var status: LieuStatus = .enabled
}

/// Whether a lieu receives: always, no more, or for single appointments only (no plage, no public search).
public enum LieuStatus: String, Sendable, CaseIterable {
    case enabled, disabled, singleUse = "single_use"

    public var frenchName: String {
        switch self {
        case .enabled: "Ouvert"
        case .disabled: "Fermé"
        case .singleUse: "Ponctuel (rendez-vous isolés)"
        }
    }
}

/// A motif (type of appointment).
public struct Motif: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let organisationID: UUID
    public let name: String
    public let durationMinutes: Int
    public let collective: Bool
    public let defaultCapacity: Int?
}

/// The reference data an agenda page needs: lieux, motifs, services; and their creation.
public struct AgendaCatalog: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Lieux that receive (`disabled` ones too when asked, for the set-up page).
    public func lieux(organisationID: UUID? = nil, includingDisabled: Bool = false) async throws -> [Lieu] {
        var lieux: [Lieu] = []
        for try await (id, organisation, name, address, phone, status) in try await connection.query(
            """
            SELECT id, organisation_id, name, address, phone, status FROM lieux
            WHERE (status <> 'disabled' OR \(includingDisabled)) AND (\(organisationID)::uuid IS NULL OR organisation_id = \(organisationID))
            ORDER BY name
            """
        ).decode((UUID, UUID, String, String, String?, String).self) {
            lieux.append(Lieu(id: id, organisationID: organisation, name: name, address: address, phone: phone, status: LieuStatus(rawValue: status) ?? .enabled))
        }
        return lieux
    }

    /// Changes a lieu; false when another lieu of its organisation has the new name.
    public func updateLieu(_ lieuID: UUID, name: String, address: String, phone: String?, status: LieuStatus) async throws -> Bool {
        let clash = try await connection.query(
            """
            SELECT 1 FROM lieux other JOIN lieux this ON this.id = \(lieuID)
            WHERE other.organisation_id = this.organisation_id AND other.name = \(name) AND other.id <> this.id
            """
        )
        for try await _ in clash { return false }
        try await connection.query(
            "UPDATE lieux SET name = \(name), address = \(address), phone = \(phone), status = \(status.rawValue) WHERE id = \(lieuID)"
        )
        return true
    }

    /// Motifs in use, or with `archived` those put aside.
    public func motifs(organisationID: UUID? = nil, archived: Bool = false) async throws -> [Motif] {
        var motifs: [Motif] = []
        for try await (id, organisation, name, duration, collective, capacity) in try await connection.query(
            """
            SELECT id, organisation_id, name, duration_minutes, collective, default_capacity FROM motifs
            WHERE (archived_at IS NOT NULL) = \(archived) AND (\(organisationID)::uuid IS NULL OR organisation_id = \(organisationID))
            ORDER BY name
            """
        ).decode((UUID, UUID, String, Int, Bool, Int?).self) {
            motifs.append(Motif(id: id, organisationID: organisation, name: name, durationMinutes: duration, collective: collective, defaultCapacity: capacity))
        }
        return motifs
    }

    public func services() async throws -> [(id: UUID, name: String)] {
        var services: [(id: UUID, name: String)] = []
        for try await row in try await connection.query("SELECT id, name FROM services ORDER BY name").decode((UUID, String).self) {
            services.append((row.0, row.1))
        }
        return services
    }

    /// A new lieu; nil when the organisation already has one of that name.
    public func createLieu(organisationID: UUID, name: String, address: String, phone: String?) async throws -> UUID? {
        for try await id in try await connection.query(
            """
            INSERT INTO lieux (organisation_id, name, address, phone) VALUES (\(organisationID), \(name), \(address), \(phone))
            ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id
            """
        ).decode(UUID.self) { return id }
        return nil
    }

    /// Service ids of an agent, for the permission to see colleagues' agendas.
    public func serviceIDs(of agentID: UUID) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for try await id in try await connection.query("SELECT service_id FROM agent_services WHERE agent_id = \(agentID)").decode(UUID.self) {
            ids.insert(id)
        }
        return ids
    }

    /// Service ids of every agent of the département, read at once.
    public func serviceIDsByAgent() async throws -> [UUID: Set<UUID>] {
        var ids: [UUID: Set<UUID>] = [:]
        for try await (agent, service) in try await connection.query("SELECT agent_id, service_id FROM agent_services").decode((UUID, UUID).self) {
            ids[agent, default: []].insert(service)
        }
        return ids
    }

    @discardableResult
    public func ensureService(named name: String) async throws -> UUID {
        try await upsertReturningID(
            "INSERT INTO services (name) VALUES (\(name)) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id"
        )
    }

    @discardableResult
    public func ensureLieu(organisationID: UUID, name: String, address: String) async throws -> UUID {
        try await upsertReturningID(
            """
            INSERT INTO lieux (organisation_id, name, address) VALUES (\(organisationID), \(name), \(address))
            ON CONFLICT (organisation_id, name) DO UPDATE SET address = excluded.address RETURNING id
            """
        )
    }

    @discardableResult
    public func ensureMotif(organisationID: UUID, serviceID: UUID, name: String, durationMinutes: Int, onlineBooking: Bool) async throws -> UUID {
        try await upsertReturningID(
            """
            INSERT INTO motifs (organisation_id, service_id, name, duration_minutes, online_booking, bookable_by)
            VALUES (\(organisationID), \(serviceID), \(name), \(durationMinutes), \(onlineBooking), \(onlineBooking ? "everyone" : "agents"))
            ON CONFLICT (organisation_id, name) DO UPDATE SET duration_minutes = excluded.duration_minutes RETURNING id
            """
        )
    }

    /// (agent, service) pairs of an organisation's agents.
    public func serviceAssignments(organisationID: UUID) async throws -> [(agentID: UUID, serviceID: UUID)] {
        var pairs: [(agentID: UUID, serviceID: UUID)] = []
        for try await pair in try await connection.query(
            """
            SELECT s.agent_id, s.service_id FROM agent_services s JOIN agents a ON a.id = s.agent_id
            WHERE a.organisation_id = \(organisationID)
            """
        ).decode((UUID, UUID).self) { pairs.append(pair) }
        return pairs
    }

    public func removeAgent(_ agentID: UUID, fromService serviceID: UUID) async throws {
        try await connection.query("DELETE FROM agent_services WHERE agent_id = \(agentID) AND service_id = \(serviceID)")
    }

    public func addAgent(_ agentID: UUID, toService serviceID: UUID) async throws {
        try await connection.query(
            "INSERT INTO agent_services (agent_id, service_id) VALUES (\(agentID), \(serviceID)) ON CONFLICT DO NOTHING"
        )
    }

    private func upsertReturningID(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> UUID {
        for try await id in try await connection.query(query).decode(UUID.self) { return id }
        throw MissingReturnedRow("catalog row (\(file):\(line))")
    }
}
