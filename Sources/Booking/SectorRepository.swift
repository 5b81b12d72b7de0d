import Foundation
import PostgresNIO
import Tenancy

/// Sectors of the département whose transaction this is: the sectors, their zones, who serves
/// them, and which sector an address falls in.
public struct SectorRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Every sector with its zone count and attributions, by name.
    public func all() async throws -> [SectorSummary] {
        var sectors: [(Sector, Int)] = []
        for try await (id, name, zones) in try await connection.query(
            """
            SELECT s.id, s.name, (SELECT count(*) FROM sector_zones z WHERE z.sector_id = s.id)
            FROM sectors s ORDER BY s.name
            """
        ).decode((UUID, String, Int).self) {
            sectors.append((Sector(id: id, name: name), zones))
        }
        let attributions = Dictionary(grouping: try await attributions(of: nil), by: \.sectorID)
        return sectors.map { SectorSummary(sector: $0.0, zoneCount: $0.1, attributions: attributions[$0.0.id] ?? []) }
    }

    public func find(id: UUID) async throws -> Sector? {
        for try await (id, name) in try await connection.query("SELECT id, name FROM sectors WHERE id = \(id)").decode((UUID, String).self) {
            return Sector(id: id, name: name)
        }
        return nil
    }

    /// A new sector; nil when one of that name exists (names compare as typed).
    public func create(named name: String) async throws -> Sector? {
        for try await (id, name) in try await connection.query(
            "INSERT INTO sectors (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id, name"
        ).decode((UUID, String).self) {
            return Sector(id: id, name: name)
        }
        return nil
    }

    /// The sector of that name, made if missing.
    @discardableResult
    public func ensure(named name: String) async throws -> Sector {
        if let sector = try await create(named: name) { return sector }
        for try await (id, name) in try await connection.query("SELECT id, name FROM sectors WHERE name = \(name)").decode((UUID, String).self) {
            return Sector(id: id, name: name)
        }
        throw MissingReturnedRow("sectors")
    }

    /// Deletes a sector with its zones and attributions; false when there is no such sector.
    public func delete(id: UUID) async throws -> Bool {
        try await exists(connection.query("DELETE FROM sectors WHERE id = \(id) RETURNING id"))
    }

    /// Attributions of one sector, or of all (nil), with the names to show.
    public func attributions(of sectorID: UUID?) async throws -> [SectorAttribution] {
        var attributions: [SectorAttribution] = []
        for try await (id, sector, organisation, organisationName, agent, first, last) in try await connection.query(
            """
            SELECT t.id, t.sector_id, o.id, o.name, a.id, a.first_name, a.last_name
            FROM sector_attributions t JOIN organisations o ON o.id = t.organisation_id
            LEFT JOIN agents a ON a.id = t.agent_id
            WHERE \(sectorID)::uuid IS NULL OR t.sector_id = \(sectorID)
            ORDER BY o.name, a.last_name NULLS FIRST, a.first_name
            """
        ).decode((UUID, UUID, UUID, String, UUID?, String?, String?).self) {
            let agentName = first.flatMap { first in last.map { "\(first) \($0)" } }
            attributions.append(SectorAttribution(
                id: id, sectorID: sector, organisationID: organisation, organisationName: organisationName, agentID: agent, agentName: agentName
            ))
        }
        return attributions
    }

    public enum Attribution: Sendable, Equatable {
        case added
        case alreadyThere
        /// The sector or organisation does not exist, or the agent is not one of the organisation's.
        case unknown
    }

    /// Attributes a sector to an organisation, or to one agent of it.
    public func attribute(sectorID: UUID, organisationID: UUID, agentID: UUID? = nil) async throws -> Attribution {
        let inserted = try await exists(connection.query(
            """
            INSERT INTO sector_attributions (sector_id, organisation_id, agent_id)
            SELECT s.id, o.id, \(agentID) FROM sectors s, organisations o
            WHERE s.id = \(sectorID) AND o.id = \(organisationID)
              AND (\(agentID)::uuid IS NULL OR EXISTS (SELECT 1 FROM agents WHERE id = \(agentID) AND organisation_id = o.id))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ))
        if inserted { return .added }
        let known = try await exists(connection.query(
            """
            SELECT 1 FROM sectors s, organisations o WHERE s.id = \(sectorID) AND o.id = \(organisationID)
              AND (\(agentID)::uuid IS NULL OR EXISTS (SELECT 1 FROM agents WHERE id = \(agentID) AND organisation_id = o.id))
            """
        ))
        return known ? .alreadyThere : .unknown
    }

    /// Removes one attribution of a sector; false when it has none of that id.
    public func removeAttribution(id: UUID, of sectorID: UUID) async throws -> Bool {
        try await exists(connection.query("DELETE FROM sector_attributions WHERE id = \(id) AND sector_id = \(sectorID) RETURNING id"))
    }

    func exists(_ rows: PostgresRowSequence) async throws -> Bool {
        for try await _ in rows { return true }
        return false
    }
}
