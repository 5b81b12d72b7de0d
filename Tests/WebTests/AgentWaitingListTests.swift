import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An appointment booked by an agent waits for an earlier slot too: the agent puts its usager
/// on the waiting list from the appointment's page.
@Suite struct AgentWaitingListTests {
    @Test func anAgentPutsTheUsagerOnTheListAndAFreedEarlierSlotIsOfferedToThem() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let links = ConfirmationTests.links(setup)
            let (later, earlier, unreachable, soon) = try await world.database.tenant(setup.tenant).transaction { connection in
                let usagers = UsagerRepository(connection)
                let ines = try await usagers.create(firstName: "Inès", lastName: "Durand", phone: nil, email: "ines@exemple.fr")
                let other = try await usagers.create(firstName: "Paul", lastName: "Martin", phone: nil, email: "paul@exemple.fr")
                let silent = try await usagers.create(firstName: "Sans", lastName: "Contact", phone: "03 21 00 00 00", email: nil)
                func book(_ usager: UUID, _ day: LocalDate, _ time: String) async throws -> UUID {
                    let start = setup.clock.instant(day, LocalTime(time)!)
                    return try await RdvRepository(connection).book(NewRdv(
                        motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [setup.agent.id], usagerIDs: [usager]
                    ))
                }
                return (
                    try await book(ines, setup.monday.adding(days: 7), "09:00"), try await book(other, setup.monday, "09:00"),
                    try await book(silent, setup.monday.adding(days: 7), "09:30"),
                    try await book(other, setup.clock.localDate(of: Date()).adding(days: 2), "14:00")
                )
            }
            try await world.withLiveApp { app in
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                #expect(try await agent.get("/rdv/\(later)").text.contains("Mettre l’usager sur la liste d’attente"))
                #expect(try await agent.post("/rdv/\(later)/liste-attente", [:]).status == .seeOther)
                let page = try await agent.get("/rdv/\(later)")
                #expect(page.text.contains("Liste d’attente :") && !page.text.contains("Mettre l’usager sur la liste d’attente"))
                #expect(try await agent.post("/rdv/\(later)/liste-attente", [:]).status == .seeOther, "twice: still one entry")

                let refused = try await agent.post("/rdv/\(unreachable)/liste-attente", [:])
                #expect(refused.status == .unprocessableContent && refused.text.contains("Ajoutez un courriel ou un téléphone portable"))
                // An appointment in two days is too close to wait for an earlier one.
                #expect(try await agent.post("/rdv/\(soon)/liste-attente", [:]).status == .conflict)
            }
            let entries = try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("SELECT count(*)::int FROM waiting_list WHERE active").decode(Int.self).first { _ in true }
            }
            #expect(entries == 1)
            // The earlier appointment is cancelled: Inès is offered its time.
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await Cancellations(connection, tenant: setup.tenant, links: links).setStatus(earlier, to: .revoked, byAgent: setup.agent.id)
            }
            let offers = try await world.outbox(of: setup.tenant).filter { $0.recipient == "ines@exemple.fr" && $0.subject.hasPrefix("Un créneau") }
            #expect(offers.count == 1)
        }
    }
}
