import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// The reception desk's day at a lieu: every agent's appointments there, one click for the
/// outcome, one printed A4 page.
@Suite struct LieuDayTests {
    struct Desk: Sendable {
        let setup: OnlineSetup
        let colleague: Agent
        let otherLieuID: UUID
        /// Next Monday's appointments at the lieu, in time order, then one at the other lieu.
        let rdvIDs: [UUID]
        let elsewhere: UUID
    }

    /// Appointments next Monday at the setup's lieu, `count` of them alternating between the
    /// setup's agent and a colleague, from 08:00 every 15 minutes; one more at another lieu.
    static func desk(_ world: TestWorld, count: Int = 3, name: String = "Pas-de-Calais") async throws -> Desk {
        let setup = try await OnlineSetup.make(world, name: name, weeksAhead: 1)
        let colleague = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: setup.organisation)
        return try await world.database.tenant(setup.tenant).transaction { connection in
            let other = try await AgendaCatalog(connection).ensureLieu(organisationID: setup.organisation.id, name: "Antenne de Lens", address: "2 place Jean Jaurès, Lens")
            var ids: [UUID] = []
            for index in 0..<count {
                let usager = try await UsagerRepository(connection).create(firstName: "Personne", lastName: "N\(index)", phone: nil, email: nil)
                let start = setup.clock.instant(setup.monday, LocalTime(minutes: 8 * 60 + 15 * (index / 2))!)
                ids.append(try await RdvRepository(connection).book(NewRdv(
                    motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(900),
                    agentIDs: [index.isMultiple(of: 2) ? setup.agent.id : colleague.id], usagerIDs: [usager]
                )))
            }
            let usager = try await UsagerRepository(connection).create(firstName: "Ailleurs", lastName: "Lens", phone: nil, email: nil)
            let start = setup.clock.instant(setup.monday, LocalTime("15:00")!)
            let elsewhere = try await RdvRepository(connection).book(NewRdv(
                motifID: setup.motifID, lieuID: other, start: start, end: start.addingTimeInterval(900), agentIDs: [setup.agent.id], usagerIDs: [usager]
            ))
            return Desk(setup: setup, colleague: colleague, otherLieuID: other, rdvIDs: ids, elsewhere: elsewhere)
        }
    }

    @Test func theDeskSeesEveryAgentsAppointmentsAndSetsTheirOutcomeInOneClick() async throws {
        try await TestWorld.run { world in
            let desk = try await Self.desk(world)
            let setup = desk.setup
            let theirs = try await Self.desk(world, name: "Drôme")
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let path = "/agenda/lieux/\(setup.lieuID)/jour?date=\(setup.monday)"
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                let page = try await browser.get(path)
                #expect(page.status == .ok)
                #expect(page.text.contains("Personne N0") && page.text.contains("Personne N1") && page.text.contains("Personne N2"), "every agent's appointments")
                #expect(page.text.contains(desk.colleague.lastName) && !page.text.contains("Ailleurs Lens"), "this lieu's only")
                #expect(page.text.contains("3 rendez-vous"))

                let action = "/agenda/lieux/\(setup.lieuID)/jour/\(desk.rdvIDs[0])"
                #expect(try await browser.post(action, ["action": "arrive", "date": setup.monday.description]).status == .seeOther)
                #expect(try await browser.get(path).text.contains("Arrivé à") )
                #expect(try await browser.post(action, ["action": "vu", "date": setup.monday.description]).status == .seeOther)
                #expect(try await browser.post("/agenda/lieux/\(setup.lieuID)/jour/\(desk.rdvIDs[1])", ["action": "excuse", "date": setup.monday.description]).status == .seeOther)
                #expect(try await browser.post(action, ["action": "danser"]).status == .badRequest)

                // An appointment of another lieu through this lieu's path, another département's lieu or appointment: not found.
                #expect(try await browser.post("/agenda/lieux/\(setup.lieuID)/jour/\(desk.elsewhere)", ["action": "absent"]).status == .notFound)
                #expect(try await browser.get("/agenda/lieux/\(theirs.setup.lieuID)/jour").status == .notFound)
                #expect(try await browser.post("/agenda/lieux/\(setup.lieuID)/jour/\(theirs.rdvIDs[0])", ["action": "absent"]).status == .notFound)

                // An agent of another organisation reads nobody's appointments here.
                let neighbour = try await world.makeOrganisation(in: setup.tenant, name: "Voisine")
                let outsider = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: neighbour)
                let other = Browser(app: app, host: setup.host)
                try await other.signIn(outsider.email)
                let seen = try await other.get(path)
                #expect(seen.status == .ok && !seen.text.contains("Personne N0") && seen.text.contains("Aucun rendez-vous"))
                #expect(try await other.post(action, ["action": "absent"]).status == .notFound)
            }
            let statuses = try await world.database.tenant(setup.tenant).transaction { connection in
                var found: [String] = []
                for id in desk.rdvIDs + [desk.elsewhere] {
                    for try await status in try await connection.query("SELECT status FROM rdvs WHERE id = \(id)").decode(String.self) { found.append(status) }
                }
                return found
            }
            #expect(statuses == ["seen", "excused", "unknown", "unknown"])
            let untouched = try await world.database.tenant(theirs.setup.tenant).transaction { connection in
                try await connection.query("SELECT count(*)::int FROM rdvs WHERE status <> 'unknown' OR arrived_at IS NOT NULL").decode(Int.self).first { _ in true }
            }
            #expect(untouched == 0)
        }
    }

    /// Chromium prints the day of 30 appointments to PDF: one A4 page.
    @Test func thirtyAppointmentsPrintOnOneA4Page() async throws {
        try await TestWorld.run { world in
            let desk = try await Self.desk(world, count: 30)
            let setup = desk.setup
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let html = try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                return try await browser.get("/agenda/lieux/\(setup.lieuID)/jour?date=\(setup.monday)").text
            }
            #expect(html.contains("Personne N29") && html.contains("30 rendez-vous"))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lieu-day-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let css = BrowserBookingTests.repository.appendingPathComponent("Sources/Web/Static/app.css").path
            let page = folder.appendingPathComponent("jour.html"), pdf = folder.appendingPathComponent("jour.pdf")
            try html.replacingOccurrences(of: "href=\"/static/app.css", with: "href=\"file://\(css)").write(to: page, atomically: true, encoding: .utf8)
            let (status, output) = try await BrowserBookingTests.run([
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", "--no-pdf-header-footer",
                "--print-to-pdf=\(pdf.path)", page.absoluteString,
            ])
            #expect(status == 0, "chromium failed:\n\(output)")
            let bytes = String(decoding: try Data(contentsOf: pdf), as: UTF8.self)
            let pages = bytes.components(separatedBy: "/Type /Page").count - 1 - (bytes.components(separatedBy: "/Type /Pages").count - 1)
            #expect(pages == 1, "the day of 30 appointments takes \(pages) pages")
        }
    }
}
