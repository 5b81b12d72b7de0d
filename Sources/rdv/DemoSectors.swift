import Agenda
import Booking
import Tenancy

/// Demo sectorisation: one sector per demo organisation, each its real commune, and one street
/// of the first commune given to the second organisation (a street's zone beats its commune's).
enum DemoSectors {
    struct Zone {
        let sector: String
        let code: String
        let commune: String
        let street: String?
        /// Index of the organisation in `DemoData.organisations` that serves the sector.
        let organisation: Int
    }

    static let zones: [String: [Zone]] = [
        "62": [
            Zone(sector: "Arrageois", code: "62041", commune: "Arras", street: nil, organisation: 0),
            Zone(sector: "Lensois", code: "62498", commune: "Lens", street: nil, organisation: 1),
            Zone(sector: "Arras – quartier Gambetta", code: "62041", commune: "Arras", street: "Rue Gambetta", organisation: 1),
            Zone(sector: "Boulonnais", code: "62160", commune: "Boulogne-sur-Mer", street: nil, organisation: 2),
        ],
        "26": [
            Zone(sector: "Valentinois", code: "26362", commune: "Valence", street: nil, organisation: 0),
            Zone(sector: "Montilien", code: "26198", commune: "Montélimar", street: nil, organisation: 1),
            Zone(sector: "Valence – Victor Hugo", code: "26362", commune: "Valence", street: "Avenue Victor Hugo", organisation: 1),
            Zone(sector: "Romanais", code: "26281", commune: "Romans-sur-Isère", street: nil, organisation: 2),
        ],
        "77": [
            Zone(sector: "Melun", code: "77288", commune: "Melun", street: nil, organisation: 0),
            Zone(sector: "Meaux", code: "77284", commune: "Meaux", street: nil, organisation: 1),
            Zone(sector: "Melun – Saint-Étienne", code: "77288", commune: "Melun", street: "Rue Saint-Étienne", organisation: 1),
            Zone(sector: "Chelles", code: "77108", commune: "Chelles", street: nil, organisation: 2),
        ],
        "974": [
            Zone(sector: "Nord", code: "97411", commune: "Saint-Denis", street: nil, organisation: 0),
            Zone(sector: "Sud", code: "97416", commune: "Saint-Pierre", street: nil, organisation: 1),
            Zone(sector: "Saint-Denis – rue de Paris", code: "97411", commune: "Saint-Denis", street: "Rue de Paris", organisation: 1),
            Zone(sector: "Ouest", code: "97407", commune: "Le Port", street: nil, organisation: 2),
        ],
    ]

    /// Adds what is missing and leaves alone what an administrator changed since.
    static func seed(tenant: Tenant, organisations: [Organisation], on connection: TenantConnection) async throws {
        let sectors = SectorRepository(connection)
        for zone in zones[tenant.code.value] ?? [] where organisations.indices.contains(zone.organisation) {
            let sector = try await sectors.ensure(named: zone.sector)
            _ = try await sectors.addZone(to: sector.id, communeCode: zone.code, communeName: zone.commune, streetName: zone.street)
            _ = try await sectors.attribute(sectorID: sector.id, organisationID: organisations[zone.organisation].id)
        }
    }
}
