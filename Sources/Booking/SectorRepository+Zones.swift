import Foundation
import PostgresNIO
import Tenancy

extension SectorRepository {
    /// Zones of a sector: communes first, then their streets, by name.
    public func zones(of sectorID: UUID) async throws -> [SectorZone] {
        var zones: [SectorZone] = []
        for try await (id, sector, code, commune, street) in try await connection.query(
            """
            SELECT id, sector_id, commune_code, commune_name, street_name FROM sector_zones
            WHERE sector_id = \(sectorID) ORDER BY commune_key, commune_code, street_key
            """
        ).decode((UUID, UUID, String, String, String?).self) {
            zones.append(SectorZone(id: id, sectorID: sector, communeCode: code, communeName: commune, streetName: street))
        }
        return zones
    }

    public enum ZoneAddition: Sendable, Equatable {
        case added(UUID)
        /// The commune, or that street of it, already belongs to a sector (this one or another).
        case taken(sectorName: String)
    }

    /// Adds a commune (street nil) or one of its streets to a sector that exists.
    /// `communeCode` must be canonical (`AddressKey.communeCode`).
    public func addZone(to sectorID: UUID, communeCode: String, communeName: String, streetName: String?) async throws -> ZoneAddition {
        let street = streetName.flatMap { $0.isEmpty ? nil : $0 }
        for try await id in try await connection.query(
            """
            INSERT INTO sector_zones (sector_id, commune_code, commune_name, commune_key, street_name, street_key)
            VALUES (\(sectorID), \(communeCode), \(communeName), \(AddressKey.of(communeName)), \(street), \(AddressKey.of(street ?? "")))
            ON CONFLICT (commune_code, street_key) DO NOTHING RETURNING id
            """
        ).decode(UUID.self) {
            return .added(id)
        }
        for try await name in try await connection.query(
            """
            SELECT s.name FROM sector_zones z JOIN sectors s ON s.id = z.sector_id
            WHERE z.commune_code = \(communeCode) AND z.street_key = \(AddressKey.of(street ?? ""))
            """
        ).decode(String.self) {
            return .taken(sectorName: name)
        }
        throw MissingReturnedRow("sector_zones")
    }

    /// Removes a zone of a sector; false when the sector has no zone of that id.
    public func removeZone(id: UUID, of sectorID: UUID) async throws -> Bool {
        try await exists(connection.query("DELETE FROM sector_zones WHERE id = \(id) AND sector_id = \(sectorID) RETURNING id"))
    }

    /// Every zone, as an import takes them: by sector, commune, then street.
    public func exportZones() async throws -> [ZoneLine] {
        var lines: [ZoneLine] = []
        for try await (sector, code, commune, street) in try await connection.query(
            """
            SELECT s.name, z.commune_code, z.commune_name, z.street_name
            FROM sector_zones z JOIN sectors s ON s.id = z.sector_id
            ORDER BY s.name, z.commune_key, z.commune_code, z.street_key
            """
        ).decode((String, String, String, String?).self) {
            lines.append(ZoneLine(sectorName: sector, communeCode: code, communeName: commune, streetName: street))
        }
        return lines
    }
}
