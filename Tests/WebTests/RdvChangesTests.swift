import Agenda
import Foundation
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An appointment moves, takes a second agent, carries notes; PostgreSQL refuses any double booking.
@Suite struct RdvChangesTests {
    @Test func anAppointmentMovesTakesASecondAgentAndKeepsNotes() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let organisation = Organisation(id: try #require(setup.agent.organisationID), name: "")
            let colleague = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: organisation)
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let day = clock.localDate(of: Date()).adding(days: 10)
            let nine = clock.instant(day, LocalTime("09:00")!), ten = clock.instant(day, LocalTime("10:00")!)
            let (rdv, busy) = try await world.database.tenant(setup.tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                try await catalog.addAgent(colleague.id, toService: try #require(try await catalog.services().first?.id))
                let usager = try await UsagerRepository(connection).create(firstName: "Léa", lastName: "Roux", phone: nil, email: nil)
                let repository = RdvRepository(connection)
                let rdv = try await repository.book(NewRdv(
                    motifID: setup.motifID, lieuID: setup.lieuID, start: nine, end: nine.addingTimeInterval(1800), agentIDs: [setup.agent.id], usagerIDs: [usager]
                ))
                // The colleague is busy at ten.
                let busy = try await repository.book(NewRdv(
                    motifID: setup.motifID, lieuID: setup.lieuID, start: ten, end: ten.addingTimeInterval(1800), agentIDs: [colleague.id], usagerIDs: [usager]
                ))
                return (rdv, busy)
            }
            let theirRdv = try await world.database.tenant(theirs.tenant).transaction { connection in
                try await RdvRepository(connection).book(NewRdv(
                    motifID: theirs.motifID, lieuID: theirs.lieuID, start: nine, end: nine.addingTimeInterval(1800), agentIDs: [theirs.agent.id], usagerIDs: []
                ))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                let page = try await browser.get("/rdv/\(rdv)")
                #expect(page.text.contains("Ajouter un agent") && page.text.contains(colleague.fullName))

                #expect(try await browser.post("/rdv/\(rdv)/agents", ["agent": colleague.id.uuidString]).status == .seeOther)
                // Both agents at ten: the colleague is taken, nothing moves.
                let refused = try await browser.post("/rdv/\(rdv)/deplacer", ["day": day.description, "time": "10:00"])
                #expect(refused.status == .conflict && refused.text.contains("déjà pris"))
                #expect(try await browser.post("/rdv/\(rdv)/deplacer", ["day": "demain", "time": "10:00"]).status == .unprocessableContent)
                #expect(try await browser.post("/rdv/\(rdv)/deplacer", ["day": day.description, "time": "11:15"]).status == .seeOther)
                #expect(try await browser.post("/rdv/\(rdv)/notes", ["notes": "Apporter le dossier CAF."]).status == .seeOther)
                let after = try await browser.get("/rdv/\(rdv)")
                #expect(after.text.contains("11 h 15") && after.text.contains("Apporter le dossier CAF.") && after.text.contains("Rendez-vous déplacé"))
                #expect(after.text.contains("Agent ajouté"))

                // The other département's appointment and agents are out of reach.
                #expect(try await browser.post("/rdv/\(theirRdv)/deplacer", ["day": day.description, "time": "12:00"]).status == .notFound)
                #expect(try await browser.post("/rdv/\(theirRdv)/notes", ["notes": "x"]).status == .notFound)
                #expect(try await browser.post("/rdv/\(rdv)/agents", ["agent": theirs.agent.id.uuidString]).status == .notFound)
            }
            let (moved, agents, notes) = try await world.database.tenant(setup.tenant).transaction { connection in
                let found = try #require(try await RdvQueries(connection).find(rdv))
                return (found.summary.range, Set(found.agentIDs), found.notes)
            }
            #expect(moved.start == clock.instant(day, LocalTime("11:15")!) && moved.end == moved.start.addingTimeInterval(1800))
            #expect(agents == [setup.agent.id, colleague.id] && notes == "Apporter le dossier CAF.")
            // The colleague hears of the move; the agent who made it does not.
            let mails = try await world.outbox(of: setup.tenant)
            #expect(mails.contains { $0.recipient == colleague.email && $0.subject.hasPrefix("Un collègue a déplacé") })
            #expect(!mails.contains { $0.recipient == setup.agent.email })
            // Moving onto the colleague's other appointment directly in SQL is refused by PostgreSQL too.
            await #expect(throws: BookingError.slotTaken) {
                try await world.database.tenant(setup.tenant).transaction { try await RdvRepository($0).move(rdv, to: ten.addingTimeInterval(600), byAgent: nil) }
            }
            _ = busy
            let theirs2 = try await world.database.tenant(theirs.tenant).transaction { try await RdvQueries($0).find(theirRdv) }
            #expect(theirs2?.notes == "" && theirs2?.summary.range.start == nine)
        }
    }
}
