import Agenda
import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SetupPagesTests {
    @Test func administratorsSetUpLieuxMotifsAndServicesWithinTheirReach() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let mine = try await world.makeOrganisation(in: tenant, name: "MDS Lens")
            let other = try await world.makeOrganisation(in: tenant, name: "MDS Calais")
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: mine)
            let adminTOTP = try await world.enrolSecondFactor(admin, in: tenant)
            let departement = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
            let departementTOTP = try await world.enrolSecondFactor(departement, in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: mine)
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let chief = Browser(app: app, host: host)
                try await chief.signIn(departement.email, totp: departementTOTP)
                try await chief.get("/organisation")
                #expect(try await chief.post("/organisation/services", ["name": ""]).status == .unprocessableContent)
                #expect(try await chief.post("/organisation/services", ["name": "Insertion"]).text.contains("Service « Insertion » enregistré"))

                let browser = Browser(app: app, host: host)
                try await browser.signIn(admin.email, totp: adminTOTP)
                let page = try await browser.get("/organisation")
                #expect(page.text.contains("MDS Lens") && !page.text.contains("Nouveau service"))
                // Naming another organisation changes nothing: an admin works on their own.
                let lieu = try await browser.post("/organisation/lieux", ["organisation": other.id.uuidString, "name": "Antenne", "address": "2 rue Basse"])
                #expect(lieu.text.contains("Lieu « Antenne » ajouté"))
                #expect(try await browser.post("/organisation/lieux", ["name": "Antenne", "address": "ailleurs"]).status == .conflict)
                let serviceID = try #require(page.text.components(separatedBy: "<option value=\"").dropFirst().first.map { String($0.prefix(36)) })
                let invalid = try await browser.post("/organisation/motifs", [
                    "name": "Atelier", "service": serviceID, "duration": "3", "collective": "on", "capacity": "1",
                ])
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("La durée va de 5 à 480 minutes") && invalid.text.contains("de 2 à 500 places"))
                let motif = try await browser.post("/organisation/motifs", [
                    "name": "Atelier parents", "service": serviceID, "duration": "90", "collective": "on", "capacity": "8", "online": "on",
                ])
                #expect(motif.text.contains("Motif « Atelier parents » ajouté"))

                let plain = Browser(app: app, host: host)
                try await plain.signIn(agent.email)
                #expect(try await plain.get("/organisation").status == .forbidden)
            }
            let (lieuxMine, lieuxOther, motifs) = try await world.database.tenant(tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                return (try await catalog.lieux(organisationID: mine.id), try await catalog.lieux(organisationID: other.id), try await catalog.motifs(organisationID: mine.id))
            }
            #expect(lieuxMine.map(\.name) == ["Antenne"] && lieuxOther.isEmpty)
            #expect(motifs.first?.collective == true && motifs.first?.defaultCapacity == 8)
        }
    }
}
