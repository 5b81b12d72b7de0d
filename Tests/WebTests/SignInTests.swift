import Foundation
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SignInTests {
    @Test func wrongPasswordAndUnknownEmailGetTheSameAnswer() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.get("/connexion")
                let wrong = try await browser.post("/connexion", ["email": agent.email, "password": "pas le bon mot de passe"])
                let unknown = try await browser.post("/connexion", ["email": "personne@exemple.fr", "password": "pas le bon mot de passe"])
                #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
                #expect(wrong.text.contains("Adresse électronique ou mot de passe incorrect."))
                #expect(unknown.text.contains("Adresse électronique ou mot de passe incorrect."))
                #expect(try await browser.get("/agent").status == .seeOther)
            }
        }
    }

    @Test func repeatedFailuresAreThrottledEvenWithTheRightPassword() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.get("/connexion")
                for _ in 0..<Throttle.freeFailures {
                    #expect(try await browser.post("/connexion", ["email": agent.email, "password": "mauvais mot de passe"]).status == .unauthorized)
                }
                let blocked = try await browser.post("/connexion", ["email": agent.email, "password": TestWorld.agentPassword])
                #expect(blocked.status == .tooManyRequests)
                #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
                #expect(blocked.text.contains("Trop de tentatives"))
                // The password reset stays open to a locked account.
                try await browser.get("/mot-de-passe-oublie")
                #expect(try await browser.post("/mot-de-passe-oublie", ["email": agent.email]).status == .ok)
                #expect(try await world.outbox(of: tenant).count == 1)
            }
        }
    }

    @Test func delaysGrowAfterEachBlock() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let delays = try await world.database.tenant(tenant).transaction { connection in
                let throttle = Throttle(connection)
                var delays: [Int] = []
                for _ in 0..<(Throttle.freeFailures + 3) {
                    try await throttle.recordFailure(["k"])
                    delays.append(try await throttle.retryAfter(["k", "other"]) ?? 0)
                }
                return delays
            }
            #expect(delays.prefix(Throttle.freeFailures - 1).allSatisfy { $0 == 0 })
            #expect(Array(delays.suffix(4)) == [30, 60, 120, 240])
        }
    }

    @Test func signInReplacesAPlantedSessionCookie() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                await browser.setCookie("rdv_session", "planted-by-an-attacker")
                #expect(try await browser.get("/agent").status == .seeOther)
                #expect(try await browser.signIn(agent.email) == 303)
                let session = try #require(await browser.cookies["rdv_session"])
                #expect(session != "planted-by-an-attacker")
                let attacker = Browser(app: app, host: "\(tenant.slug).rdv.test")
                await attacker.setCookie("rdv_session", "planted-by-an-attacker")
                #expect(try await attacker.get("/agent").status == .seeOther)
                #expect(try await browser.get("/agent").status == .ok)
            }
        }
    }

    @Test func formsWithoutAValidCSRFTokenAreRefused() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.get("/connexion")
                let forged = try await browser.post("/connexion", ["email": agent.email, "password": TestWorld.agentPassword], csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(forged.text.contains("Formulaire expiré"))
                try await browser.signIn(agent.email)
                #expect(try await browser.post("/deconnexion", [:], csrf: "forged").status == .forbidden)
                #expect(try await browser.get("/agent").status == .ok, "still signed in")
                try await browser.get("/agent")
                #expect(try await browser.post("/deconnexion", [:]).status == .seeOther)
                #expect(try await browser.get("/agent").status == .seeOther, "signed out")
            }
        }
    }

    @Test func idleAndAbsoluteTimeoutsEndSessions() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let idle = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await idle.signIn(agent.email)
                let old = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await old.signIn(agent.email)
                #expect(try await idle.get("/agent").status == .ok)
                let idleHash = SecretToken.hash(try #require(await idle.cookies["rdv_session"]))
                let oldHash = SecretToken.hash(try #require(await old.cookies["rdv_session"]))
                _ = try await world.owner.ownerQuery(
                    "UPDATE \(unescaped: tenant.schemaName).agent_sessions SET last_seen_at = now() - interval '2 hours 1 minute' WHERE token_hash = \(idleHash)"
                )
                _ = try await world.owner.ownerQuery(
                    "UPDATE \(unescaped: tenant.schemaName).agent_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = \(oldHash)"
                )
                #expect(try await idle.get("/agent").status == .seeOther)
                #expect(try await old.get("/agent").status == .seeOther)
            }
        }
    }

    @Test func auditEventsAreWrittenAndCannotBeChanged() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.get("/connexion")
                try await browser.post("/connexion", ["email": agent.email, "password": "mauvais mot de passe"])
                try await browser.signIn(agent.email)
            }
            let actions = try await world.database.tenant(tenant).transaction { connection in
                try await AuditLog(connection).recent().map(\.event)
            }
            #expect(actions == [.signInSucceeded, .signInFailed])
            // Deleting is not granted; an update is refused by the journal's guard (retention may
            // only clear the address of an entry 6 months old, see RetentionTests).
            for (statement, state): (PostgresQuery, String) in [
                ("UPDATE audit_events SET action = 'x'", "P0001"), ("UPDATE audit_events SET ip = NULL", "P0001"),
                ("DELETE FROM audit_events", "42501"), ("TRUNCATE audit_events", "42501"),
            ] {
                let error = await #expect(throws: PSQLError.self) {
                    try await world.database.tenant(tenant).transaction { connection in try await connection.query(statement) }
                }
                #expect(error?.serverInfo?[.sqlState] == state, "\(statement.sql)")
            }
        }
    }
}
