import Agenda
import Foundation
import Notifications
import Testing
import TestSupport
@testable import Tenancy

@Suite struct NoShowReportTests {
    @Test func noShowsWithAndWithoutRemindersAndRebookedCancellations() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, daysAhead: 3)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                let motif = try #require(try await connection.query("SELECT motif_id, lieu_id FROM rdvs").decode((UUID, UUID).self).first(where: { _ in true }))
                let agent = try #require(try await connection.query("SELECT agent_id FROM rdv_agents").decode(UUID.self).first(where: { _ in true }))
                let repository = RdvRepository(connection)
                // Four past appointments: two reminded (one no-show), two not (both no-shows).
                for (index, (reminded, status)) in [(true, RdvStatus.seen), (true, .noshow), (false, .noshow), (false, .noshow)].enumerated() {
                    let start = Date().addingTimeInterval(-Double(index + 2) * 86_400)
                    let rdv = try await repository.book(NewRdv(motifID: motif.0, lieuID: motif.1, start: start, end: start.addingTimeInterval(1800), agentIDs: [agent], usagerIDs: []))
                    try await repository.setStatus(rdv, to: status)
                    if reminded {
                        try await connection.query("INSERT INTO messages (channel, kind, recipient, body, rdv_id, state) VALUES ('sms', 'reminder', '+33612345678', 'x', \(rdv), 'delivered')")
                    }
                }
                // The coming appointment is cancelled by its usager, then its time booked by someone else.
                try await repository.setStatus(fixture.rdvID, to: .excused)
                _ = try await repository.book(NewRdv(motifID: motif.0, lieuID: motif.1, start: fixture.start, end: fixture.start.addingTimeInterval(1800), agentIDs: [agent], usagerIDs: []))
            }
            let lines = try await world.database.tenant(fixture.tenant).transaction { try await NoShowReport($0).lines() }
            let line = try #require(lines.first)
            #expect(line.motif == "Consultation" && line.reminded == 2 && line.remindedNoShows == 1 && line.notReminded == 2 && line.notRemindedNoShows == 2)
            #expect(line.cancelledByUsager == 1 && line.rebooked == 1)
            #expect(NoShowReport.Line.rate(1, 2) == "50 %" && NoShowReport.Line.rate(0, 0) == "—")
        }
    }
}
