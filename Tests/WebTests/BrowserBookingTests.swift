import Agenda
import Booking
import Consortium
import Identity
import Scheduling
import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// End to end in a real browser: headless Chromium driven by Selenium books with the keyboard
/// alone at phone width, confirms with the emailed code, cancels through the manage link, and
/// finds the slot offered again. Screenshots of each step go to `.build/browser-artefacts/`.
@Suite struct BrowserBookingTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aUsagerBooksByKeyboardThenCancelsByTheLinkInARealBrowser() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world) { $0.moveDeadlineMinutes = 0 }
            try await world.database.tenant(setup.tenant).transaction { connection in
                // The full flow, address first: the motif follows sectorisation.
                _ = try await MotifSectorisation(connection).setLevel(.organisation, ofMotif: setup.motifID)
                let sectors = SectorRepository(connection)
                let sector = try await sectors.ensure(named: "Arrageois")
                _ = try await sectors.addZone(to: sector.id, communeCode: "62041", communeName: "Arras", streetName: nil)
                _ = try await sectors.attribute(sectorID: sector.id, organisationID: setup.organisation.id)
            }
            let (operatorAccount, totp) = try await Self.partnership(of: setup.tenant, world)
            // The steering committee's statistics, with a day of figures to draw.
            let steering = try await world.makeConsortiumAccount(.steering)
            _ = try await world.owner.ownerQuery("""
                INSERT INTO shared.statistics_days (tenant_id, day, created_agent, created_usager, seen, noshow)
                VALUES (\(setup.tenant.id), current_date - 1, 40, 12, 30, 3)
                """)
            try await world.withLiveApp(baseDomain: "localhost") { app in
                let base = "http://\(setup.tenant.slug).localhost:\(app.port)"
                let shots = Self.repository.appendingPathComponent(".build/browser-artefacts").path
                let (status, output) = try await Self.run([
                    "python3", Self.repository.appendingPathComponent("Tests/Browser/book_by_keyboard.py").path, base, shots,
                    setup.agent.email, TestWorld.agentPassword,
                    operatorAccount.email, TestWorld.agentPassword, totp.secret.map { String(format: "%02x", $0) }.joined(), String(setup.tenant.id), steering.email,
                ])
                #expect(status == 0, "browser script failed:\n\(output)")
                #expect(output.contains("slot free again") && output.contains("agent pages visited") && output.contains("console visited") && output.contains("statistics visited"))
            }
            let statuses = try await world.database.tenant(setup.tenant).transaction { connection in
                var statuses: [String] = []
                for try await status in try await connection.query("SELECT status FROM rdvs").decode(String.self) { statuses.append(status) }
                return statuses
            }
            #expect(statuses == ["excused"])
        }
    }

    /// An operator with a second factor, and a département with something on each partnership
    /// page (a convention, a payment, a pilot site, an expense, a committee meeting) for axe to read.
    static func partnership(of tenant: Tenant, _ world: TestWorld) async throws -> (ConsortiumAccount, TOTP) {
        let account = try await world.makeConsortiumAccount(.operator_)
        let totp = try await world.enrolSecondFactor(account)
        let actor = PartnershipService.Actor(accountID: account.id, ip: nil)
        let service = PartnershipService(world.database.shared), finance = ConsortiumFinance(world.database.shared)
        try await service.updateCensus(CensusDraft(["population": "1450000", "census_year": "2021"]), tenantID: tenant.id, by: actor)
        let today = ConsortiumCalendar.today()
        let conventionID = try await service.saveConvention(ConventionDraft([
            "funding_round": "2026-2028", "kind": "initial", "signed_on": today.adding(days: -40).description,
            "starts_on": today.adding(days: -30).description, "ends_on": today.adding(months: 2).description,
            "contribution_due_on": today.adding(days: -1).description,
        ]), tenantID: tenant.id, by: actor)
        try await service.recordPayment(PaymentDraft(["paid_on": today.description, "amount": "10000"]), conventionID: conventionID, tenantID: tenant.id, by: actor)
        try await service.addPilotSite(PilotSiteDraft(["organisation": "MDS d’Arras", "referent": "Claire Lefebvre", "contact": "referente@exemple.fr"]), tenantID: tenant.id, by: actor)
        try await finance.saveExpense(ExpenseDraft([
            "spent_on": today.description, "supplier": "Hébergeur", "object": "Serveurs", "amount": "1200", "funding_round": "2026-2028",
        ]), by: actor)
        try await finance.recordCommittee(CommitteeDraft(["held_on": today.description, "kind": "steering", "attendee_\(tenant.id)": "1"]), by: actor)
        return (account, totp)
    }

    /// Runs a program to its end without blocking a thread of the cooperative pool.
    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.resume(returning: (process.terminationStatus, output))
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
