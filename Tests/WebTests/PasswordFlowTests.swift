import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct PasswordFlowTests {
    func link(in body: String, path: String) throws -> String {
        let line = try #require(body.split(separator: "\n").first { $0.contains(path) })
        return String(line[line.range(of: path)!.lowerBound...])
    }

    @Test func resetByEmailEndsEverySessionAndWorksOnce() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let elsewhere = Browser(app: app, host: host)
                try await elsewhere.signIn(agent.email)

                let browser = Browser(app: app, host: host)
                try await browser.get("/mot-de-passe-oublie")
                let unknown = try await browser.post("/mot-de-passe-oublie", ["email": "inconnu@exemple.fr"])
                try await browser.get("/mot-de-passe-oublie")
                let known = try await browser.post("/mot-de-passe-oublie", ["email": agent.email])
                #expect(unknown.status == .ok && known.status == .ok)
                #expect(unknown.text.contains("Si un compte existe") && known.text.contains("Si un compte existe"))
                let mails = try await world.outbox(of: tenant)
                #expect(mails.count == 1)
                let path = try link(in: try #require(mails.first).body, path: "/reinitialisation/")

                try await browser.get(path)
                let done = try await browser.post(path, ["password": "Un-nouveau-mot-de-passe-solide", "confirmation": "Un-nouveau-mot-de-passe-solide"])
                #expect(done.status == .ok)
                #expect(done.text.contains("Votre mot de passe a été changé"))
                #expect(try await elsewhere.get("/agent").status == .seeOther, "other sessions ended")
                #expect(try await Browser(app: app, host: host).signIn(agent.email) == 401, "old password refused")
                #expect(try await Browser(app: app, host: host).signIn(agent.email, password: "Un-nouveau-mot-de-passe-solide") == 303)
                #expect(try await browser.get(path).status == .notFound, "used link")
            }
        }
    }

    @Test func expiredForgedAndMisusedTokensAreRefused() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            let (reset, invitation) = try await world.database.tenant(tenant).transaction { connection in
                let tokens = OneTimeTokens(connection)
                return (try await tokens.issue(.passwordReset, for: agent.id), try await tokens.issue(.invitation, for: agent.id))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                #expect(try await browser.get("/reinitialisation/\(SecretToken.generate().value)").status == .notFound, "forged")
                #expect(try await browser.get("/invitation/\(reset.value)").status == .notFound, "wrong purpose")
                #expect(try await browser.get("/reinitialisation/\(reset.value)").status == .ok)
                _ = try await world.owner.ownerQuery(
                    "UPDATE \(unescaped: tenant.schemaName).agent_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = \(reset.hash)"
                )
                #expect(try await browser.get("/reinitialisation/\(reset.value)").status == .notFound, "expired")
                #expect(try await browser.get("/invitation/\(invitation.value)").status == .ok)
            }
        }
    }

    @Test func changingThePasswordKeepsOnlyThisSession() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .secretariat, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let other = Browser(app: app, host: host)
                try await other.signIn(agent.email)
                let browser = Browser(app: app, host: host)
                try await browser.signIn(agent.email)
                let account = try await browser.get("/compte")
                #expect(account.text.contains("Cette session"))
                let wrong = try await browser.post("/compte/mot-de-passe", ["current": "faux", "password": "Encore-une-phrase-de-passe", "confirmation": "Encore-une-phrase-de-passe"])
                #expect(wrong.status == .unprocessableContent)
                try await browser.get("/compte")
                let changed = try await browser.post("/compte/mot-de-passe", [
                    "current": TestWorld.agentPassword, "password": "Encore-une-phrase-de-passe", "confirmation": "Encore-une-phrase-de-passe",
                ])
                #expect(changed.status == .seeOther)
                #expect(changed.headers[.location] == "/compte?modifie=1")
                #expect(try await browser.get("/compte?modifie=1").text.contains("Votre mot de passe a été changé"))
                #expect(try await other.get("/agent").status == .seeOther)
                try await browser.get("/compte")
                #expect(try await browser.post("/compte/deconnexion-partout", [:]).status == .seeOther)
                #expect(try await browser.get("/agent").status == .seeOther)
            }
        }
    }
}
