import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct UsagerAccountTests {
    func link(_ path: String, in body: String) throws -> String {
        let line = try #require(body.split(separator: "\n").first { $0.contains(path) })
        return String(line[line.range(of: path)!.lowerBound...])
    }

    @Test func signUpConfirmSignInAndStayInOneDepartement() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let browser = Browser(app: app, host: host)
                #expect(try await browser.get("/mon-compte").headers[.location]?.hasPrefix("/mon-compte/connexion") == true)
                try await browser.get("/mon-compte/inscription")
                let weak = try await browser.post("/mon-compte/inscription", [
                    "first_name": "Inès", "last_name": "Usagère", "email": "ines@exemple.fr", "password": "azerty123456", "confirmation": "azerty123456",
                ])
                #expect(weak.status == .unprocessableContent)
                #expect(weak.text.contains("trop courant") && weak.text.contains("value=\"ines@exemple.fr\""))
                let password = "Trois-pommes-et-un-velo"
                let created = try await browser.post("/mon-compte/inscription", [
                    "first_name": "Inès", "last_name": "Usagère", "email": "ines@exemple.fr", "password": password, "confirmation": password,
                ])
                #expect(created.status == .ok && created.text.contains("Un message vient d’être envoyé"))

                // Not confirmed yet: the password alone does not open the account.
                let early = Browser(app: app, host: host)
                try await early.get("/mon-compte/connexion")
                #expect(try await early.post("/mon-compte/connexion", ["email": "ines@exemple.fr", "password": password]).status == .unauthorized)

                let mail = try #require(try await world.outbox(of: tenant).first)
                let confirmation = try link("/mon-compte/confirmation/", in: mail.body)
                let confirmed = try await browser.get(confirmation)
                #expect(confirmed.headers[.location] == "/mon-compte")
                let space = try await browser.get("/mon-compte")
                #expect(space.status == .ok && space.text.contains("Inès Usagère"))
                #expect(try await browser.get(confirmation).status == .notFound, "a confirmation link works once")

                // A usager session is not an agent session, and an agent session is not a usager one.
                #expect(try await browser.get("/agent").status == .seeOther)
                let agentBrowser = Browser(app: app, host: host)
                try await agentBrowser.signIn(agent.email)
                #expect(try await agentBrowser.get("/mon-compte").status == .seeOther)

                // Signing up again with the same address says the same thing, and mails the owner.
                let again = Browser(app: app, host: host)
                try await again.get("/mon-compte/inscription")
                let duplicate = try await again.post("/mon-compte/inscription", [
                    "first_name": "X", "last_name": "Y", "email": "ines@exemple.fr", "password": "Autre-phrase-de-passe-9", "confirmation": "Autre-phrase-de-passe-9",
                ])
                #expect(duplicate.text.contains("Un message vient d’être envoyé"))
                #expect(try await world.outbox(of: tenant).first?.subject.contains("déjà un compte") == true)

                // Sign out, then in again; nothing of it works in another département.
                try await browser.get("/mon-compte")
                #expect(try await browser.post("/mon-compte/deconnexion", [:]).status == .seeOther)
                #expect(try await browser.get("/mon-compte").status == .seeOther)
                let later = Browser(app: app, host: host)
                try await later.get("/mon-compte/connexion")
                #expect(try await later.post("/mon-compte/connexion", ["email": "ines@exemple.fr", "password": password]).headers[.location] == "/mon-compte")
                let elsewhere = Browser(app: app, host: "\(other.slug).rdv.test")
                await elsewhere.copyCookies(from: later)
                #expect(try await elsewhere.get("/mon-compte").status == .seeOther)
                try await elsewhere.get("/mon-compte/connexion")
                #expect(try await elsewhere.post("/mon-compte/connexion", ["email": "ines@exemple.fr", "password": password]).status == .unauthorized)
            }
        }
    }

    @Test func passwordResetForUsagers() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let hash = try await PasswordHasher().hash(TestWorld.agentPassword)
            try await world.database.tenant(tenant).transaction { connection in
                let accounts = UsagerAccountRepository(connection)
                let account = try await accounts.create(email: "paul@exemple.fr", firstName: "Paul", lastName: "U", passwordHash: hash)
                try await accounts.confirm(id: try #require(account).id)
            }
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let signedIn = Browser(app: app, host: host)
                try await signedIn.get("/mon-compte/connexion")
                try await signedIn.post("/mon-compte/connexion", ["email": "paul@exemple.fr", "password": TestWorld.agentPassword])
                #expect(try await signedIn.get("/mon-compte").status == .ok)

                let browser = Browser(app: app, host: host)
                try await browser.get("/mon-compte/mot-de-passe-oublie")
                #expect(try await browser.post("/mon-compte/mot-de-passe-oublie", ["email": "personne@exemple.fr"]).text.contains("Si un compte existe"))
                try await browser.get("/mon-compte/mot-de-passe-oublie")
                try await browser.post("/mon-compte/mot-de-passe-oublie", ["email": "paul@exemple.fr"])
                let mails = try await world.outbox(of: tenant)
                #expect(mails.count == 1)
                let path = try link("/mon-compte/reinitialisation/", in: try #require(mails.first).body)
                try await browser.get(path)
                let done = try await browser.post(path, ["password": "Un-autre-mot-de-passe-long", "confirmation": "Un-autre-mot-de-passe-long"])
                #expect(done.text.contains("Votre mot de passe a été changé"))
                #expect(try await signedIn.get("/mon-compte").status == .seeOther, "other sessions ended")
                #expect(try await browser.get(path).status == .notFound)
            }
        }
    }
}
