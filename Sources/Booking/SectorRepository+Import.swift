import Foundation
import PostgresNIO
import Tenancy

extension SectorRepository {
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

    /// Writes parsed zones in the caller's transaction: sectors missing by name (compared through
    /// `AddressKey`) are created, a place already zoned moves to the file's sector. With
    /// `replacingAll`, zones the file does not name are deleted. A failure throws, and the caller's
    /// transaction undoes everything. A place given twice keeps its last line.
    public func importZones(_ lines: [ZoneLine], replacingAll: Bool) async throws -> ZoneImport {
        var summary = ZoneImport()
        var unique: [String: ZoneLine] = [:]
        for line in lines { unique[line.placeKey] = line }
        let zones = Array(unique.values)

        var sectorIDs: [String: UUID] = [:]
        for existing in try await all() { sectorIDs[AddressKey.of(existing.sector.name)] = existing.sector.id }
        for zone in zones where sectorIDs[AddressKey.of(zone.sectorName)] == nil {
            sectorIDs[AddressKey.of(zone.sectorName)] = try await ensure(named: zone.sectorName).id
            summary.sectorsCreated += 1
        }
        if replacingAll {
            for try await _ in try await connection.query(
                "DELETE FROM sector_zones WHERE NOT (commune_code || '|' || street_key = ANY(\(zones.map(\.placeKey)))) RETURNING id"
            ) { summary.zonesRemoved += 1 }
        }
        // One statement for the whole file: a département's streets are tens of thousands of lines.
        var sectors: [UUID] = []
        for zone in zones {
            guard let id = sectorIDs[AddressKey.of(zone.sectorName)] else { throw MissingReturnedRow("sectors (import)") }
            sectors.append(id)
        }
        let codes = zones.map(\.communeCode), communes = zones.map(\.communeName), communeKeys = zones.map { AddressKey.of($0.communeName) }
        let streets = zones.map { $0.streetName ?? "" }, streetKeys = zones.map { AddressKey.of($0.streetName ?? "") }
        // xmax = 0 only on a row this statement inserted; a row left as it was returns nothing.
        for try await inserted in try await connection.query(
            """
            INSERT INTO sector_zones AS z (sector_id, commune_code, commune_name, commune_key, street_name, street_key)
            SELECT sector, code, commune, commune_key, NULLIF(street, ''), street_key
            FROM unnest(\(sectors)::uuid[], \(codes)::text[], \(communes)::text[], \(communeKeys)::text[], \(streets)::text[], \(streetKeys)::text[])
                AS line (sector, code, commune, commune_key, street, street_key)
            ON CONFLICT (commune_code, street_key) DO UPDATE
                SET sector_id = excluded.sector_id, commune_name = excluded.commune_name,
                    commune_key = excluded.commune_key, street_name = excluded.street_name
                WHERE (z.sector_id, z.commune_name, z.street_name) IS DISTINCT FROM
                      (excluded.sector_id, excluded.commune_name, excluded.street_name)
            RETURNING xmax = 0
            """
        ).decode(Bool.self) {
            if inserted { summary.zonesAdded += 1 } else { summary.zonesMoved += 1 }
        }
        summary.zonesUnchanged = zones.count - summary.zonesAdded - summary.zonesMoved
        return summary
    }
}
