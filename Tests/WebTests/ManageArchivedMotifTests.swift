import Agenda
import Foundation
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A coming appointment whose motif was archived since it was booked stays manageable by its link.
@Suite struct ManageArchivedMotifTests {
    @Test func theManagePageOfAnArchivedMotifsAppointmentWorks() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world) { $0.moveDeadlineMinutes = 0 }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                let manage = try await setup.bookAndOpenManageLink(at: "09:00", from: browser, world: world)
                #expect(try await browser.post(manage, ["nom": "Mar"]).text.contains("Déplacer le rendez-vous"))

                try await world.database.tenant(setup.tenant).transaction { try await MotifRepository($0).setArchived(setup.motifID, true) }

                let page = try await browser.post(manage, ["nom": "Mar"])
                #expect(page.status == .ok)
                #expect(page.text.contains("Consultation"))
                #expect(page.text.contains("Annuler le rendez-vous"))
                #expect(!page.text.contains("Déplacer le rendez-vous"))
                #expect(page.text.contains("n’est plus proposé en ligne"))
                #expect(try await browser.get(manage).status == .ok)
                // Asking to move anyway is refused in French, not answered with an error of ours.
                let later = setup.clock.instant(setup.monday, LocalTime("09:30")!)
                let move = try await browser.post(manage, ["nom": "Mar", "action": "deplacer", "debut": String(Int(later.timeIntervalSince1970))])
                #expect(move.status == .conflict)
                #expect(move.text.contains("ne peut plus être déplacé en ligne"))
                // Cancelling still frees the time.
                let cancelled = try await browser.post(manage, ["nom": "Mar", "action": "annuler"])
                #expect(cancelled.status == .ok && cancelled.text.contains("Votre rendez-vous est annulé"))
            }
            let status = try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("SELECT status FROM rdvs").decode(String.self).first(where: { _ in true })
            }
            #expect(status == "excused")
        }
    }
}
