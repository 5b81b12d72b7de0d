import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An agent adds a usager's phone: the page says which coming appointments will now be
/// reminded, and their reminders are queued for it.
@Suite struct ContactChangeTests {
    @Test func aPhoneAddedQueuesTheComingRemindersAndThePageSaysWhich() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let theirs = try await OnlineSetup.make(world, name: "Drôme", weeksAhead: 1)
            let (usagerID, rdvID, theirUsager) = try await world.database.tenant(setup.tenant).transaction { connection in
                let usager = try await UsagerRepository(connection).create(firstName: "Inès", lastName: "Durand", phone: nil, email: nil)
                let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
                let rdv = try await RdvRepository(connection).book(NewRdv(
                    motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [setup.agent.id], usagerIDs: [usager]
                ))
                return (usager, rdv, try await world.database.tenant(theirs.tenant).transaction { connection in
                    try await UsagerRepository(connection).create(firstName: "Autre", lastName: "Drôme", phone: nil, email: nil)
                })
            }
            // Booked without any contact: nothing could be planned.
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await AppointmentNotices(connection, tenant: setup.tenant, links: ConfirmationTests.links(setup)).record(.booked, rdvID: rdvID, byUsager: false)
            }
            #expect(try await ConfirmationTests.messages(world, setup, rdvID: rdvID).isEmpty)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(setup.agent.email)
                try await browser.get("/usagers/\(usagerID)")
                let saved = try await browser.post("/usagers/\(usagerID)", ["first_name": "Inès", "last_name": "Durand", "phone": "06 12 34 56 78", "email": ""])
                #expect(saved.text.contains("Fiche enregistrée.") && saved.text.contains("sera rappelé à ces coordonnées"))
                // The same record again: no contact changed, nothing said, nothing queued twice.
                let again = try await browser.post("/usagers/\(usagerID)", ["first_name": "Inès", "last_name": "Durand", "phone": "06 12 34 56 78", "email": ""])
                #expect(again.text.contains("Fiche enregistrée.") && !again.text.contains("rappelé"))
                // Another département's usager is not found from here.
                #expect(try await browser.post("/usagers/\(theirUsager)", ["first_name": "X", "last_name": "Y", "phone": "06 00 00 00 00"]).status == .notFound)
            }
            let reminders = try await ConfirmationTests.messages(world, setup, rdvID: rdvID).filter { $0.kind == "reminder" && $0.state == "queued" }
            #expect(!reminders.isEmpty && reminders.allSatisfy { $0.channel == "sms" }, "SMS reminders, planned once")
            #expect(Set(reminders.map(\.notBefore)).count == reminders.count)
        }
    }
}
