import Agenda
import Foundation
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A usager's record: contact details checked, relatives, referents, and follow-up motifs booked only with a referent.
@Suite struct UsagerRecordTests {
    @Test func aRecordKeepsRelativesAndReferentsAndFollowUpGoesToReferentsOnly() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let organisation = Organisation(id: try #require(setup.agent.organisationID), name: "")
            let colleague = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: organisation)
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let monday = clock.localDate(of: Date()).adding(days: 8 - clock.localDate(of: Date()).weekday.rawValue)
            let (usager, followUp) = try await world.database.tenant(setup.tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                let service = try #require(try await catalog.services().first?.id)
                try await catalog.addAgent(colleague.id, toService: service)
                var rules = MotifRules(name: "Suivi RSA", serviceID: service, durationMinutes: 30)
                rules.followUpOnly = true
                rules.minimumDelayMinutes = 0
                let followUp = try #require(try await MotifRepository(connection).create(organisationID: organisation.id, rules))
                for agent in [setup.agent.id, colleague.id] {
                    try await PlageRepository(connection).create(
                        agentID: agent, lieuID: setup.lieuID,
                        span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .once),
                        motifIDs: [followUp]
                    )
                }
                let usager = try await UsagerRepository(connection).create(firstName: "Inès", lastName: "Durand", phone: nil, email: nil)
                return (usager, followUp)
            }
            let theirUsager = try await world.database.tenant(theirs.tenant).transaction {
                try await UsagerRepository($0).create(firstName: "Autre", lastName: "Département", phone: nil, email: nil)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                #expect(try await browser.get("/usagers?q=Dur").text.contains("/usagers/\(usager)"))
                #expect(try await browser.get("/usagers/\(usager)").text.contains("Inès Durand"))

                let invalid = try await browser.post("/usagers/\(usager)", ["first_name": "Inès", "last_name": "Durand", "phone": "12 34", "email": "pas-une-adresse"])
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("pas un numéro français valide") && invalid.text.contains("adresse électronique n’est pas valide"))
                #expect(try await browser.post("/usagers/\(usager)", [
                    "first_name": "Inès", "last_name": "Durand", "phone": "06 12 34 56 78", "email": "ines@exemple.fr", "birth_date": "1990-04-02",
                ]).text.contains("Fiche enregistrée."))
                #expect(try await browser.post("/usagers/\(usager)/proches", ["first_name": "Noé", "last_name": "Durand", "birth_date": "2021-09-12"]).text.contains("Noé Durand"))

                // No referent yet: the follow-up motif offers nothing for her.
                let none = try await browser.get("/creneaux?motif=\(followUp)&usager=\(usager)")
                #expect(none.text.contains("Motif de suivi") && !none.text.contains("/rdv/nouveau"))
                #expect(try await browser.post("/usagers/\(usager)/referents", ["agent": colleague.id.uuidString]).text.contains("Référents mis à jour."))
                #expect(try await browser.post("/usagers/\(usager)/referents", ["agent": theirs.agent.id.uuidString]).status == .unprocessableContent)
                let slots = try await browser.get("/creneaux?motif=\(followUp)&usager=\(usager)")
                let links = slots.text.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }.filter { $0.hasPrefix("/rdv/nouveau") }
                #expect(links.count == 2 && links.allSatisfy { $0.contains("agent=\(colleague.id)") && $0.contains("usager=\(usager)") })

                // Booking for her from a slot: no new usager, and only with her referent.
                let form = try await browser.get(try #require(links.first).replacingOccurrences(of: "&amp;", with: "&"))
                #expect(form.text.contains("Pour :</strong> Inès Durand"))
                let seconds = try #require(links.first?.components(separatedBy: "debut=").last?.prefix(while: { $0.isNumber }))
                let fields = ["motif": followUp.uuidString, "lieu": setup.lieuID.uuidString, "debut": String(seconds), "usager": usager.uuidString]
                let refused = try await browser.post("/rdv", fields.merging(["agent": setup.agent.id.uuidString]) { $1 })
                #expect(refused.status == .conflict && refused.text.contains("agent référent"))
                #expect(try await browser.post("/rdv", fields.merging(["agent": colleague.id.uuidString]) { $1 }).status == .seeOther)
                #expect(try await browser.get("/usagers/\(usager)").text.contains("Suivi RSA"))

                // Another département's usager is not found anywhere.
                #expect(try await browser.get("/usagers/\(theirUsager)").status == .notFound)
                #expect(try await browser.post("/usagers/\(theirUsager)", ["first_name": "X", "last_name": "Y"]).status == .notFound)
                #expect(try await browser.post("/usagers/\(theirUsager)/referents", ["agent": setup.agent.id.uuidString]).status == .notFound)
                #expect(try await browser.get("/creneaux?motif=\(setup.motifID)&usager=\(theirUsager)").status == .notFound)
            }
            let (record, relatives, count) = try await world.database.tenant(setup.tenant).transaction { connection in
                let repository = UsagerRepository(connection)
                return (try await repository.find(usager), try await repository.relatives(of: usager), try await repository.search("Dur").count)
            }
            #expect(record?.phone == "+33612345678" && record?.email == "ines@exemple.fr" && record?.birthDate == LocalDate(year: 1990, month: 4, day: 2))
            #expect(relatives.map(\.firstName) == ["Noé"] && count == 2, "one usager and her relative; booking created nobody")
            let theirRecord = try await world.database.tenant(theirs.tenant).transaction { try await UsagerRepository($0).find(theirUsager) }
            #expect(theirRecord?.firstName == "Autre")
        }
    }
}
