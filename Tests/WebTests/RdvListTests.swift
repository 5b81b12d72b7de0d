import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// The list of appointments: filters and count, and past outcomes filled in many at once.
@Suite struct RdvListTests {
    @Test func theListFiltersCountsAndFillsInPastOutcomesAllOrNone() async throws {
        try await TestWorld.run { world in
            let desk = try await LieuDayTests.desk(world, count: 2)
            let setup = desk.setup
            let theirs = try await LieuDayTests.desk(world, count: 1, name: "Drôme")
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let yesterday = setup.clock.localDate(of: Date()).adding(days: -1)
            let past = try await world.database.tenant(setup.tenant).transaction { connection in
                var ids: [UUID] = []
                for (index, agent) in [setup.agent.id, setup.agent.id, desk.colleague.id].enumerated() {
                    let usager = try await UsagerRepository(connection).create(firstName: "Passé", lastName: "P\(index)", phone: nil, email: nil)
                    let start = setup.clock.instant(yesterday, LocalTime(minutes: 9 * 60 + 30 * index)!)
                    ids.append(try await RdvRepository(connection).book(NewRdv(
                        motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [agent], usagerIDs: [usager]
                    )))
                }
                return ids
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                let all = try await browser.get("/rdv")
                #expect(all.status == .ok && all.text.contains("6 rendez-vous"), "2 coming, 1 elsewhere, 3 past")
                #expect(try await browser.get("/rdv?lieu=\(desk.otherLieuID)").text.contains("1 rendez-vous"))
                #expect(try await browser.get("/rdv?agent=\(desk.colleague.id)").text.contains("2 rendez-vous"))
                let pending = try await browser.get("/rdv?statut=a_renseigner&du=\(yesterday)&au=\(yesterday)")
                #expect(pending.text.contains("3 rendez-vous") && pending.text.contains("Marquer absents non excusés"))
                #expect(try await browser.get("/rdv?origine=usager").text.contains("Aucun rendez-vous"))

                let back = "/rdv?statut=a_renseigner"
                // A coming appointment among them: nothing is recorded.
                let mixed = try await browser.post("/rdv/renseigner", ["rdv_\(past[0])": "on", "rdv_\(desk.rdvIDs[0])": "on", "issue": "seen", "retour": back])
                #expect(mixed.status == .conflict && mixed.text.contains("rien n’a été enregistré"))
                #expect(try await browser.post("/rdv/renseigner", ["issue": "seen", "retour": back]).status == .unprocessableContent)
                #expect(try await browser.post("/rdv/renseigner", ["rdv_\(theirs.rdvIDs[0])": "on", "issue": "seen"]).status == .notFound)
                let done = try await browser.post("/rdv/renseigner", ["rdv_\(past[0])": "on", "rdv_\(past[2])": "on", "issue": "noshow", "retour": back])
                #expect(done.status == .ok && done.text.contains("2 rendez-vous renseignés") && done.text.contains("1 rendez-vous"), "the list again, one left")

                // An agent reads their own agenda's appointments only.
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                #expect(try await agent.get("/rdv?statut=a_renseigner").text.contains("1 rendez-vous"), "the colleague's is not theirs")
            }
            let statuses = try await world.database.tenant(setup.tenant).transaction { connection in
                var found: [String] = []
                for id in past + [desk.rdvIDs[0]] {
                    for try await status in try await connection.query("SELECT status FROM rdvs WHERE id = \(id)").decode(String.self) { found.append(status) }
                }
                return found
            }
            #expect(statuses == ["noshow", "unknown", "noshow", "unknown"])
        }
    }
}
