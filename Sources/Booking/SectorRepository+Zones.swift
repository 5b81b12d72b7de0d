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
        throw SectorError.vanished
    }

    /// Removes a zone of a sector; false when the sector has no zone of that id.
    public func removeZone(id: UUID, of sectorID: UUID) async throws -> Bool {
        try await exists(connection.query("DELETE FROM sector_zones WHERE id = \(id) AND sector_id = \(sectorID) RETURNING id"))
    }

    /// What an import did.
    public struct ZoneImport: Sendable, Equatable {
        public var sectorsCreated = 0
        public var zonesAdded = 0
        /// Zones that existed in another sector (or under another spelling) and now follow the file.
        public var zonesMoved = 0
        public var zonesUnchanged = 0
        /// Zones missing from the file, deleted because the import replaced everything.
        public var zonesRemoved = 0

        public init(sectorsCreated: Int = 0, zonesAdded: Int = 0, zonesMoved: Int = 0, zonesUnchanged: Int = 0, zonesRemoved: Int = 0) {
            self.sectorsCreated = sectorsCreated
            self.zonesAdded = zonesAdded
            self.zonesMoved = zonesMoved
            self.zonesUnchanged = zonesUnchanged
            self.zonesRemoved = zonesRemoved
        }
    }

    /// Writes parsed zones in the caller's transaction: sectors missing by name are created, a
    /// place already zoned moves to the file's sector. With `replacingAll`, zones the file does
    /// not name are deleted. A failure throws and the caller's transaction undoes everything.
    public func importZones(_ lines: [ZoneLine], replacingAll: Bool) async throws -> ZoneImport {
        var summary = ZoneImport()
        var sectorIDs: [String: UUID] = [:]
        for existing in try await all() { sectorIDs[AddressKey.of(existing.sector.name)] = existing.sector.id }
        if replacingAll {
            let kept = lines.map(\.placeKey)
            for try await _ in try await connection.query(
                "DELETE FROM sector_zones WHERE NOT (commune_code || '|' || street_key = ANY(\(kept))) RETURNING id"
            ) { summary.zonesRemoved += 1 }
        }
        for line in lines {
            let key = AddressKey.of(line.sectorName)
            let sectorID: UUID
            if let known = sectorIDs[key] {
                sectorID = known
            } else {
                sectorID = try await ensure(named: line.sectorName).id
                sectorIDs[key] = sectorID
                summary.sectorsCreated += 1
            }
            switch try await upsert(line, into: sectorID) {
            case .added: summary.zonesAdded += 1
            case .moved: summary.zonesMoved += 1
            case .unchanged: summary.zonesUnchanged += 1
            }
        }
        return summary
    }

    private enum Upsert: String {
        case added, moved, unchanged
    }

    private func upsert(_ line: ZoneLine, into sectorID: UUID) async throws -> Upsert {
        let street = line.streetName
        // xmax = 0 only on a row this statement inserted; an unchanged row returns nothing.
        for try await inserted in try await connection.query(
            """
            INSERT INTO sector_zones AS z (sector_id, commune_code, commune_name, commune_key, street_name, street_key)
            VALUES (\(sectorID), \(line.communeCode), \(line.communeName), \(AddressKey.of(line.communeName)), \(street), \(AddressKey.of(street ?? "")))
            ON CONFLICT (commune_code, street_key) DO UPDATE
                SET sector_id = excluded.sector_id, commune_name = excluded.commune_name,
                    commune_key = excluded.commune_key, street_name = excluded.street_name
                WHERE (z.sector_id, z.commune_name, z.street_name) IS DISTINCT FROM
                      (excluded.sector_id, excluded.commune_name, excluded.street_name)
            RETURNING xmax = 0
            """
        ).decode(Bool.self) {
            return inserted ? .added : .moved
        }
        return .unchanged
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
