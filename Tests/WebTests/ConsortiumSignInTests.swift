import Foundation
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// Operators sign in on console., the steering committee on stats., nobody anywhere else.
@Suite struct ConsortiumSignInTests {
    @Test func eachConsortiumRoleSignsInOnItsOwnHostOnly() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Département témoin")
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            let operatorAccount = try await world.makeConsortiumAccount(.operator_)
            let steering = try await world.makeConsortiumAccount(.steering)
            try await world.withLiveApp { app in
                // An operator must set up the second factor before anything else.
                let console = Browser(app: app, host: "console.rdv.test")
                try await console.get("/connexion")
                let first = try await console.post("/connexion", ["email": operatorAccount.email, "password": TestWorld.agentPassword])
                #expect(first.headers[.location] == "/double-authentification")
                #expect(try await console.get("/").headers[.location] == "/double-authentification")
                let enrolment = try await console.get("/double-authentification")
                let start = try #require(enrolment.text.range(of: "<code>"))
                let end = try #require(enrolment.text.range(of: "</code>", range: start.upperBound..<enrolment.text.endIndex))
                let totp = TOTP(secret: try #require(Base32.decode(String(enrolment.text[start.upperBound..<end.lowerBound]))))
                #expect(try await console.post("/double-authentification/activation", ["code": totp.code(at: Date())]).status == .ok)
                let home = try await console.get("/")
                #expect(home.status == .ok)
                #expect(home.text.contains("Console du consortium") && home.text.contains("Département témoin"))
                #expect(home.text.contains("Département déclaré ou mis à jour"), "operators read the consortium journal")

                // The steering member has no second factor to pass.
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                let statsHome = try await stats.get("/")
                #expect(statsHome.text.contains("Pilotage du consortium"))
                #expect(!statsHome.text.contains("Journal du consortium"))

                // Wrong host, wrong realm: the same refusal as a wrong password.
                #expect(try await Browser(app: app, host: "stats.rdv.test").signIn(operatorAccount.email) == 401)
                #expect(try await Browser(app: app, host: "console.rdv.test").signIn(steering.email) == 401)
                #expect(try await Browser(app: app, host: "console.rdv.test").signIn(agent.email) == 401)
                #expect(try await Browser(app: app, host: "\(tenant.slug).rdv.test").signIn(operatorAccount.email) == 401)

                // Sessions do not travel either.
                let carried = Browser(app: app, host: "stats.rdv.test")
                await carried.copyCookies(from: console)
                #expect(try await carried.get("/").status == .seeOther)
                let inDepartement = Browser(app: app, host: "\(tenant.slug).rdv.test")
                await inDepartement.copyCookies(from: console)
                #expect(try await inDepartement.get("/agent").status == .seeOther)

                try await console.get("/")
                #expect(try await console.post("/deconnexion", [:]).status == .seeOther)
                #expect(try await console.get("/").status == .seeOther)
            }
            let events = try await world.database.shared.transaction { connection in
                try await AuditLog(connection, realm: .consortium(.operator_)).recent().map(\.event)
            }
            #expect(events.contains(.secondFactorEnabled) && events.contains(.signedOut) && events.contains(.signInFailed))
        }
    }

    @Test func theApplicationRoleCannotCreateAccountsNorRewriteTheAuditTrail() async throws {
        try await TestWorld.run { world in
            let account = try await world.makeConsortiumAccount(.operator_)
            try await world.database.shared.transaction { connection in
                try await AuditLog(connection, realm: .consortium(.operator_)).record(.signInSucceeded, actor: account.id, subject: account.id)
            }
            let attempts: [PostgresQuery] = [
                "INSERT INTO shared.consortium_accounts (email, first_name, last_name, role) VALUES ('x@y.fr', 'X', 'Y', 'operator')",
                "UPDATE shared.consortium_accounts SET role = 'operator', email = 'z@y.fr'",
                "UPDATE shared.consortium_audit_events SET action = 'rewritten'",
                "DELETE FROM shared.consortium_audit_events",
                "UPDATE shared.tenants SET status = 'suspended'",
            ]
            for attempt in attempts {
                let error = await #expect(throws: PSQLError.self, "\(attempt.sql)") {
                    try await world.database.shared.transaction { connection in try await connection.query(attempt) }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(attempt.sql)")
            }
        }
    }
}
