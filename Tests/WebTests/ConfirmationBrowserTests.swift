import Agenda
import Booking
import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// Confirm or release in a real browser at phone width: the request's "no" link frees the slot,
/// and the person waiting takes it from their offer.
@Suite struct ConfirmationBrowserTests {
    @Test func aUsagerDeclinesFromThePhoneAndThePersonWaitingGetsTheSlot() async throws {
        try await TestWorld.run { world in
            // Asked at booking: the appointment is within the request's lead time.
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) {
                $0.confirmation = ConfirmationRule(requestHours: 720, deadlineHours: 24)
                $0.maximumDelayMinutes = 30 * 1440
                $0.cancellationDeadlineMinutes = 30 * 1440
            }
            _ = try await ConfirmationTests.book(world, setup, at: "09:00", phone: nil)
            _ = try await ConfirmationTests.book(world, setup, at: "09:30", name: "Autre", email: "autre@exemple.fr", phone: nil)
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
            }
            try await world.withLiveApp(baseDomain: "localhost") { app in
                try await ConfirmationTests.joinWaitingList(app, setup, host: "\(setup.tenant.slug).localhost", email: "ana@exemple.fr")
                let base = "http://\(setup.tenant.slug).localhost:\(app.port)"
                let shots = BrowserBookingTests.repository.appendingPathComponent(".build/browser-artefacts").path
                let (status, output) = try await BrowserBookingTests.run([
                    "python3", BrowserBookingTests.repository.appendingPathComponent("Tests/Browser/decline_by_phone.py").path, base, shots, "ana@exemple.fr",
                ])
                #expect(status == 0, "browser script failed:\n\(output)")
                #expect(output.contains("the person waiting took the slot"))
            }
            let rows = try await world.database.tenant(setup.tenant).transaction { connection in
                var rows: [String] = []
                for try await (status, confirmation, createdBy) in try await connection.query(
                    "SELECT status, coalesce(confirmation, '-'), created_by FROM rdvs ORDER BY created_at"
                ).decode((String, String, String).self) { rows.append("\(status) \(confirmation) \(createdBy)") }
                return rows
            }
            // One of the two declined; the person waiting holds its time, asked in turn to confirm.
            #expect(rows.filter { $0 == "excused declined usager" }.count == 1 && rows.last == "unknown awaiting waiting_list", "\(rows)")
        }
    }
}
