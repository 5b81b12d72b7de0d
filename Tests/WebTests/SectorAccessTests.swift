import Agenda
import Booking
import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SectorAccessTests {
    /// A département's sectors, with one zone and one attribution.
    private func sectorWithZone(_ world: TestWorld, _ tenant: Tenant) async throws -> (sector: UUID, zone: UUID, attribution: UUID, organisation: UUID) {
        let organisation = try await world.makeOrganisation(in: tenant, name: "MDS Arras")
        return try await world.database.tenant(tenant).transaction { connection in
            let sectors = SectorRepository(connection)
            let sector = try await sectors.ensure(named: "Arrageois")
            guard case .added(let zone) = try await sectors.addZone(to: sector.id, communeCode: "62041", communeName: "Arras", streetName: nil) else {
                throw TestWorldError.database("zone not added")
            }
            _ = try await sectors.attribute(sectorID: sector.id, organisationID: organisation.id)
            let attribution = try await sectors.attributions(of: sector.id)[0].id
            return (sector.id, zone, attribution, organisation.id)
        }
    }

    @Test func agentsAndOrganisationAdministratorsAreRefused() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let ids = try await sectorWithZone(world, tenant)
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation)
            let adminTOTP = try await world.enrolSecondFactor(admin, in: tenant)
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let plain = Browser(app: app, host: host)
                try await plain.signIn(agent.email)
                let organisationAdmin = Browser(app: app, host: host)
                try await organisationAdmin.signIn(admin.email, totp: adminTOTP)
                for browser in [plain, organisationAdmin] {
                    for path in ["/secteurs", "/secteurs/\(ids.sector)", "/secteurs/zones.csv", "/secteurs/tester?commune=62041"] {
                        #expect(try await browser.get(path).status == .forbidden, "GET \(path)")
                    }
                    try await browser.get("/agent")
                    for (path, fields) in Self.posts(ids) {
                        #expect(try await browser.post(path, fields).status == .forbidden, "POST \(path)")
                    }
                    #expect(try await uploadZones(browser, app, file: Array("secteur;code_insee;commune;voie\nX;62498;Lens;\n".utf8)).status == .forbidden)
                }
                // The public suggestions stay open to everyone.
                #expect(try await app.get("/adresse/communes?q=arr", host: host).status == .ok)
            }
            let sectors = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).all() }
            #expect(sectors.map(\.sector.name) == ["Arrageois"] && sectors[0].zoneCount == 1 && sectors[0].attributions.count == 1)
        }
    }

    @Test func anotherDepartementsAdministratorFindsNoneOfItsIds() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            let ids = try await sectorWithZone(world, tenant)
            let otherOrganisation = try await world.makeOrganisation(in: other, name: "MDS Arras")
            try await world.withLiveApp { app in
                let stranger = try await signedInDepartementAdmin(world, other, app)
                #expect(try await stranger.get("/secteurs/\(ids.sector)").status == .notFound)
                #expect(try await stranger.get("/secteurs/pas-un-id").status == .notFound)
                try await stranger.get("/secteurs")
                // Creating a sector or importing zones names no id: those forms work on the stranger's own département.
                for (path, fields) in Self.posts(ids) where path != "/secteurs" && path != "/secteurs/import" {
                    #expect(try await stranger.post(path, fields).status == .notFound, "POST \(path)")
                }
                #expect(try await stranger.post("/secteurs/attributions", ["sector": ids.sector.uuidString, "organisation": otherOrganisation.id.uuidString]).status == .notFound)
                #expect(!(try await stranger.get("/secteurs/zones.csv").text.contains("Arras")))
                #expect(try await stranger.get("/secteurs/tester?commune=62041").text.contains("Aucun secteur ne couvre cette adresse"))
                #expect(try await stranger.get("/secteurs").text.contains("Aucun secteur n’existe encore"))
            }
            let sectors = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).all() }
            #expect(sectors.map(\.sector.name) == ["Arrageois"] && sectors[0].zoneCount == 1 && sectors[0].attributions.count == 1)
        }
    }

    @Test func formsWithoutAValidCSRFTokenChangeNothing() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let ids = try await sectorWithZone(world, tenant)
            try await world.withLiveApp { app in
                let chief = try await signedInDepartementAdmin(world, tenant, app)
                try await chief.get("/secteurs")
                for (path, fields) in Self.posts(ids) {
                    #expect(try await chief.post(path, fields, csrf: "forged").status == .forbidden, "POST \(path)")
                }
                #expect(try await uploadZones(chief, app, file: Array("secteur;code_insee;commune;voie\nX;62498;Lens;\n".utf8), csrf: "forged").status == .forbidden)
            }
            let sectors = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).all() }
            #expect(sectors.map(\.sector.name) == ["Arrageois"] && sectors[0].zoneCount == 1 && sectors[0].attributions.count == 1)
        }
    }

    /// Every form of the sectorisation pages, aimed at the given ids.
    private static func posts(_ ids: (sector: UUID, zone: UUID, attribution: UUID, organisation: UUID)) -> [(String, [String: String])] {
        [
            ("/secteurs", ["name": "Intrus"]),
            ("/secteurs/attributions", ["sector": ids.sector.uuidString, "organisation": ids.organisation.uuidString]),
            ("/secteurs/attributions/retirer", ["sector": ids.sector.uuidString, "attribution": ids.attribution.uuidString]),
            ("/secteurs/\(ids.sector)/zones", ["code": "62498", "commune": "Lens", "voie": ""]),
            ("/secteurs/\(ids.sector)/zones/retirer", ["zone": ids.zone.uuidString]),
            ("/secteurs/import", ["csv": "secteur;code_insee;commune;voie\nIntrus;62498;Lens;\n"]),
            ("/secteurs/\(ids.sector)/supprimer", [:]),
        ]
    }
}
