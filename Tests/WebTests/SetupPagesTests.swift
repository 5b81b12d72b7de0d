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

@Suite struct OrganisationAndServicesTests {
    @Test func departementAdministratorsAddOrganisationsAndAdminsAssignServices() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            let mine = try await world.makeOrganisation(in: tenant, name: "MDS Béthune")
            let chief = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
            let chiefTOTP = try await world.enrolSecondFactor(chief, in: tenant)
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: mine)
            let adminTOTP = try await world.enrolSecondFactor(admin, in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: mine)
            let stranger = try await world.makeAgent(in: other, role: .agent, organisation: try await world.makeOrganisation(in: other))
            let service = try await world.database.tenant(tenant).transaction { try await AgendaCatalog($0).ensureService(named: "PMI") }
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let departement = Browser(app: app, host: host)
                try await departement.signIn(chief.email, totp: chiefTOTP)
                try await departement.get("/organisation")
                let created = try await departement.post("/organisation/nouvelle", ["name": "MDS Arras"])
                #expect(created.text.contains("Organisation « MDS Arras » enregistrée") && created.text.contains("<h1>MDS Arras</h1>"))

                let browser = Browser(app: app, host: host)
                try await browser.signIn(admin.email, totp: adminTOTP)
                try await browser.get("/organisation")
                #expect(try await browser.post("/organisation/nouvelle", ["name": "Intruse"]).status == .forbidden)
                let assigned = try await browser.post("/organisation/agents-services", ["agent": agent.id.uuidString, "service": service.uuidString])
                #expect(assigned.text.contains("Services des agents mis à jour"))
                #expect(assigned.text.contains("value=\"\(agent.id.uuidString)\"><input type=\"hidden\" name=\"service\" value=\"\(service.uuidString)\""))
                #expect(try await browser.post("/organisation/agents-services", ["agent": stranger.id.uuidString, "service": service.uuidString]).status == .notFound)
                let removed = try await browser.post("/organisation/agents-services", ["agent": agent.id.uuidString, "service": service.uuidString, "remove": "1"])
                #expect(removed.status == .ok)
            }
            let assignments = try await world.database.tenant(tenant).transaction { try await AgendaCatalog($0).serviceAssignments(organisationID: mine.id) }
            #expect(assignments.isEmpty)
            let names = try await world.database.tenant(tenant).transaction { try await OrganisationRepository($0).all().map(\.name) }
            #expect(names.contains("MDS Arras") && !names.contains("Intruse"))
        }
    }
}
