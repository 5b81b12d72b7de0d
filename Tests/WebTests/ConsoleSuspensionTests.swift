import Consortium
import Foundation
import Hummingbird
import Logging
import Notifications
import Testing
import TestSupport
import Transports
@testable import Tenancy

/// Suspending a département from the console, each effect, and resuming it.
@Suite struct ConsoleSuspensionTests {
    @Test func suspendingClosesEverythingAndResumingRestoresItWithoutSendingLate() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Département témoin")
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            let now = Date()
            // A confirmation due now and a reminder for an appointment in an hour, both queued.
            try await world.database.tenant(tenant).transaction { connection in
                let queue = MessageQueue(connection)
                try await queue.enqueueEmail(to: "usager@exemple.fr", subject: "Confirmation", body: "…", kind: "confirmation")
                try await queue.enqueueEmail(to: "usager@exemple.fr", subject: "Rappel", body: "…", kind: "reminder", expires: now.addingTimeInterval(3600))
            }
            let worker = NotificationWorker(
                database: world.database,
                configuration: DeliveryConfiguration(email: SandboxTransport(), smsTransport: SMSProviders.factory(), secret: TestWorld.secretKey, sandboxAllowed: true),
                logger: Logger(label: "rdv.tests.worker")
            )
            try await world.withLiveApp { app in
                let (console, account) = try await ConsoleOnboardingTests.signedInOperator(world, app)
                let host = "\(tenant.slug).rdv.test"
                let agentBrowser = Browser(app: app, host: host)
                #expect(try await agentBrowser.signIn(agent.email) == 303)
                #expect(try await agentBrowser.get("/agent").status == .ok)

                let page = try await console.get("/departements/\(tenant.code.value)")
                #expect(page.text.contains("Suspendre"))
                let suspended = try await console.post("/departements/\(tenant.code.value)/statut", ["status": "suspended"])
                #expect(suspended.status == .seeOther, "\(suspended.text)")
                let suspendedPage = try await console.get("/departements/\(tenant.code.value)")
                #expect(suspendedPage.text.contains("suspendu") && suspendedPage.text.contains("Rouvrir"))
                #expect(suspendedPage.text.contains("Département suspendu") && suspendedPage.text.contains(account.fullName))
                // Suspending twice is a conflict, said in French.
                let twice = try await console.post("/departements/\(tenant.code.value)/statut", ["status": "suspended"])
                #expect(twice.status == .conflict && twice.text.contains("déjà « suspendu »"))

                // Its hosts answer 503 in French: no booking, no sign-in, no agent page.
                try await waitForDirectory(app, host: host, status: .serviceUnavailable)
                let publicPage = try await Browser(app: app, host: host).get("/")
                #expect(publicPage.status == .serviceUnavailable)
                #expect(publicPage.text.contains("aucun rendez-vous ne peut être pris"))
                #expect(try await agentBrowser.get("/agent").status == .serviceUnavailable)
                #expect(try await Browser(app: app, host: host).post("/connexion", ["email": agent.email, "password": TestWorld.agentPassword]).status == .serviceUnavailable)
                // Its messages wait.
                #expect(await worker.deliverRound(now: now) == 0)
                #expect(try await states(world, tenant) == ["confirmation": "queued", "reminder": "queued"])

                #expect(try await console.post("/departements/\(tenant.code.value)/statut", ["status": "active"]).status == .seeOther)
                try await waitForDirectory(app, host: host, status: .ok)
                #expect(try await Browser(app: app, host: host).get("/").status == .ok)
                // The session opened before the suspension is over; signing in again works.
                let after = try await agentBrowser.get("/agent")
                #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/connexion") == true)
                #expect(try await Browser(app: app, host: host).signIn(agent.email) == 303)
                // Two hours later, the appointment has passed: the reminder is dropped, the confirmation goes.
                await worker.deliverRound(now: now.addingTimeInterval(7200))
                #expect(try await states(world, tenant) == ["confirmation": "sent", "reminder": "dead"])
            }
        }
    }

    @Test func onlyOperatorsReachTheDepartementsPagesAndNoDepartementHostHasThem() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: try await world.makeOrganisation(in: tenant))
            let steering = try await world.makeConsortiumAccount(.steering)
            try await world.withLiveApp { app in
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                for path in ["/departements", "/departements/nouveau", "/departements/\(tenant.code.value)"] {
                    #expect(try await stats.get(path).status == .notFound, "\(path)")
                }
                try await stats.get("/")
                #expect(try await stats.post("/departements/\(tenant.code.value)/statut", ["status": "suspended"]).status == .notFound)
                #expect(try await stats.post("/departements/nouveau", ConsoleOnboardingTests.mayotte).status == .notFound)

                // Signed out on the console: sent to sign in, nothing changes.
                let stranger = Browser(app: app, host: "console.rdv.test")
                #expect(try await stranger.get("/departements").status == .seeOther)
                // A département's administrator: the paths do not exist on its host.
                let admin = Browser(app: app, host: "\(tenant.slug).rdv.test")
                #expect(try await admin.signIn(agent.email) == 303)
                #expect(try await admin.get("/departements").status == .notFound)
                #expect(try await world.registry.all().first?.status == .active)
            }
        }
    }

    /// The gateway's registry copy reloads on a notification; wait until it has.
    func waitForDirectory(_ app: LiveApp, host: String, status: HTTPResponse.Status) async throws {
        for _ in 0..<100 {
            if try await app.get("/", host: host).status == status { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(host) never answered \(status)")
    }

    func states(_ world: TestWorld, _ tenant: Tenant) async throws -> [String: String] {
        try await world.database.tenant(tenant).transaction { connection in
            var states: [String: String] = [:]
            for try await (kind, state) in try await connection.query("SELECT kind, state FROM messages").decode((String, String).self) {
                states[kind] = state
            }
            return states
        }
    }
}
