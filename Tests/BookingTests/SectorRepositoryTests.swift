import Agenda
import Booking
import Foundation
import Identity
import Testing
import TestSupport
import Tenancy

@Suite struct SectorResolutionTests {
    @Test func aStreetZoneOverridesItsCommuneWhateverTheSpelling() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let arras = try await world.makeOrganisation(in: tenant, name: "MDS Arras")
            let lens = try await world.makeOrganisation(in: tenant, name: "PMI de Lens")
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: lens)
            try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                let commune = try await sectors.ensure(named: "Arrageois")
                let street = try await sectors.ensure(named: "Quartier Saint-Géry")
                #expect(try await sectors.addZone(to: commune.id, communeCode: "62041", communeName: "Arras", streetName: nil) != .taken(sectorName: "Arrageois"))
                _ = try await sectors.addZone(to: street.id, communeCode: "62041", communeName: "Arras", streetName: "Rue Saint-Géry")
                #expect(try await sectors.attribute(sectorID: commune.id, organisationID: arras.id) == .added)
                #expect(try await sectors.attribute(sectorID: street.id, organisationID: lens.id, agentID: agent.id) == .added)
                #expect(try await sectors.attribute(sectorID: street.id, organisationID: lens.id, agentID: agent.id) == .alreadyThere)
                // An agent is attributed only with their own organisation.
                #expect(try await sectors.attribute(sectorID: street.id, organisationID: arras.id, agentID: agent.id) == .unknown)

                let byStreet = try #require(try await sectors.resolve(communeCode: "62041", street: "RUE SAINT GERY"))
                #expect(byStreet.sector.name == "Quartier Saint-Géry" && byStreet.level == .street)
                #expect(byStreet.organisations.isEmpty && byStreet.agents.map(\.id) == [agent.id])
                #expect(byStreet.agents.first?.organisationID == lens.id)

                for other in ["Rue Gambetta", "", nil] as [String?] {
                    let byCommune = try #require(try await sectors.resolve(communeCode: "62041", street: other))
                    #expect(byCommune.sector.name == "Arrageois" && byCommune.level == .commune)
                    #expect(byCommune.organisations.map(\.name) == ["MDS Arras"] && byCommune.agents.isEmpty)
                }
                #expect(try await sectors.resolve(communeCode: "62498", street: "Rue Saint-Géry") == nil)
                #expect(try await sectors.resolve(communeCode: "pas un code", street: nil) == nil)
            }
        }
    }

    @Test func aCommuneWithOnlyStreetZonesCoversOnlyThoseStreets() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                let sector = try await sectors.ensure(named: "Centre")
                _ = try await sectors.addZone(to: sector.id, communeCode: "2A004", communeName: "Ajaccio", streetName: "Cours Napoléon")
                #expect(try await sectors.resolve(communeCode: "2a004", street: "cours napoleon")?.level == .street)
                #expect(try await sectors.resolve(communeCode: "2A004", street: "Cours Grandval") == nil)
                #expect(try await sectors.resolve(communeCode: "2A004", street: nil) == nil)
            }
        }
    }

    @Test func aPlaceBelongsToOneSectorAndDisabledAgentsServeNoOne() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                let first = try await sectors.ensure(named: "Premier")
                let second = try await sectors.ensure(named: "Second")
                _ = try await sectors.addZone(to: first.id, communeCode: "62498", communeName: "Lens", streetName: "Rue de Lille")
                #expect(try await sectors.addZone(to: second.id, communeCode: "62498", communeName: "LENS", streetName: "rue de lille") == .taken(sectorName: "Premier"))
                _ = try await sectors.attribute(sectorID: first.id, organisationID: organisation.id, agentID: agent.id)
                try await connection.query("UPDATE agents SET disabled_at = now() WHERE id = \(agent.id)")
                #expect(try await sectors.resolve(communeCode: "62498", street: "Rue de Lille")?.agents == [])
            }
        }
    }
}

@Suite struct SectorZoneExchangeTests {
    @Test func importCreatesSectorsMovesZonesAndExportReadsBackTheSame() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let text = """
                secteur;code_insee;commune;voie
                Arrageois;62041;Arras;
                Lensois;62498;Lens;
                Lensois;62041;Arras;Rue Gambetta
                """
            let first = try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                _ = try await sectors.ensure(named: "ARRAGEOIS")
                return try await sectors.importZones(try ZoneCSV.parse(text), replacingAll: false)
            }
            #expect(first == .init(sectorsCreated: 1, zonesAdded: 3, zonesMoved: 0, zonesUnchanged: 0, zonesRemoved: 0))
            let again = try await world.database.tenant(tenant).transaction { connection in
                try await SectorRepository(connection).importZones(try ZoneCSV.parse(text.replacingOccurrences(of: "Lensois;62041", with: "ARRAGEOIS;62041")), replacingAll: false)
            }
            #expect(again == .init(sectorsCreated: 0, zonesAdded: 0, zonesMoved: 1, zonesUnchanged: 2, zonesRemoved: 0))
            let exported = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).exportZones() }
            #expect(exported.map(\.sectorName) == ["ARRAGEOIS", "ARRAGEOIS", "Lensois"])
            #expect(exported.map(\.streetName) == [nil, "Rue Gambetta", nil])

            let replaced = try await world.database.tenant(tenant).transaction { connection in
                try await SectorRepository(connection).importZones(try ZoneCSV.parse(ZoneCSV.write(Array(exported.prefix(2)))), replacingAll: true)
            }
            #expect(replaced.zonesRemoved == 1 && replaced.zonesUnchanged == 2)
            let roundTrip = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).exportZones() }
            #expect(roundTrip == Array(exported.prefix(2)))
        }
    }

    @Test func aDepartementsStreetsImportInOneStatement() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let lines = (1...20_000).map { ZoneLine(sectorName: "Secteur \($0 % 40)", communeCode: "62041", communeName: "Arras", streetName: "Rue numéro \($0)") }
            // How fast is for `make bench`, not for a timed test on a shared machine.
            let summary = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).importZones(lines, replacingAll: false) }
            #expect(summary == .init(sectorsCreated: 40, zonesAdded: 20_000))
            let match = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).resolve(communeCode: "62041", street: "rue numero 12345") }
            #expect(match?.sector.name == "Secteur 25" && match?.level == .street)
        }
    }

    @Test func aFailingImportLeavesNothingBehind() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let lines = [
                ZoneLine(sectorName: "Nouveau", communeCode: "62041", communeName: "Arras", streetName: nil),
                // The database refuses this commune name: the whole transaction rolls back.
                ZoneLine(sectorName: "Nouveau", communeCode: "62498", communeName: String(repeating: "x", count: 201), streetName: nil),
            ]
            await #expect(throws: (any Error).self) {
                try await world.database.tenant(tenant).transaction { try await SectorRepository($0).importZones(lines, replacingAll: true) }
            }
            let left = try await world.database.tenant(tenant).transaction { connection in
                (try await SectorRepository(connection).all().count, try await SectorRepository(connection).exportZones().count)
            }
            #expect(left == (0, 0))
        }
    }
}

@Suite struct AddressSuggestionQueryTests {
    @Test func communesAndStreetsMatchWithoutAccentsOrCase() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let communes = try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                let sector = try await sectors.ensure(named: "Sud")
                for (code, name, street) in [
                    ("26198", "Montélimar", nil), ("26198", "Montélimar", "Rue Pierre-Julien"), ("26198", "Montélimar", "Allée de l’Étang"),
                    ("26362", "Valence", nil), ("77288", "Melun", "Rue Saint-Étienne"), ("26064", "Bourg-lès-Valence", nil),
                ] as [(String, String, String?)] {
                    _ = try await sectors.addZone(to: sector.id, communeCode: code, communeName: name, streetName: street)
                }
                return (
                    try await sectors.communes(matching: "MONTELI"),
                    try await sectors.communes(matching: "valence"),
                    try await sectors.communes(matching: "2636"),
                    try await sectors.communes(matching: "%_"),
                    try await sectors.streets(communeCode: "26198", matching: "etang"),
                    try await sectors.streets(communeCode: "26198", matching: "rue"),
                    try await sectors.streets(communeCode: "77288", matching: "saint etienne"),
                    try await sectors.communes(matching: "a", limit: 2)
                )
            }
            #expect(communes.0 == [CommuneSuggestion(code: "26198", name: "Montélimar")])
            // Names that start with the text come before those that only contain it.
            #expect(communes.1.map(\.name) == ["Valence", "Bourg-lès-Valence"])
            #expect(communes.2 == [CommuneSuggestion(code: "26362", name: "Valence")])
            #expect(communes.3.isEmpty)
            #expect(communes.4 == ["Allée de l’Étang"])
            #expect(communes.5 == ["Rue Pierre-Julien"])
            #expect(communes.6 == ["Rue Saint-Étienne"])
            #expect(communes.7.count == 2)
        }
    }
}
