import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// The "done when": an admin invites an agent, who sets a password, signs in, sees only
/// what the role allows, and is locked out of another département. All through the real pages.
@Suite struct AgentJourneyTests {
    @Test func inviteSetPasswordSignInAndStayInsideTheDepartement() async throws {
        try await TestWorld.run { world in
            let pasDeCalais = try await world.makeTenant(name: "Pas-de-Calais")
            let drome = try await world.makeTenant(name: "Drôme")
            let arras = try await world.makeOrganisation(in: pasDeCalais, name: "MDS Arras")
            let admin = try await world.makeAgent(in: pasDeCalais, role: .admin, organisation: arras)
            let totp = try await world.enrolSecondFactor(admin, in: pasDeCalais)
            try await world.withLiveApp { app in
                let adminBrowser = Browser(app: app, host: "\(pasDeCalais.slug).rdv.test")
                #expect(try await adminBrowser.signIn(admin.email, totp: totp) == 303)
                #expect(try await adminBrowser.get("/agents").status == .ok)
                let invited = try await adminBrowser.post("/agents/invitations", [
                    "first_name": "Léa", "last_name": "Invitée", "email": "lea.invitee@pasdecalais.fr",
                    "organisation": arras.id.uuidString, "role": "agent",
                ])
                #expect(invited.status == .ok)
                #expect(invited.text.contains("Invitation envoyée"))

                let mail = try #require(try await world.outbox(of: pasDeCalais).first)
                #expect(mail.recipient == "lea.invitee@pasdecalais.fr")
                let link = try #require(mail.body.split(separator: "\n").first { $0.contains("/invitation/") })
                let path = String(link[link.range(of: "/invitation/")!.lowerBound...])

                let lea = Browser(app: app, host: "\(pasDeCalais.slug).rdv.test")
                #expect(try await lea.get(path).text.contains("Bienvenue, Léa"))
                let weak = try await lea.post(path, ["password": "motdepasse2024", "confirmation": "motdepasse2024"])
                #expect(weak.status == .unprocessableContent)
                #expect(weak.text.contains("trop courant"))
                let chosen = try await lea.post(path, ["password": "Le-phare-de-Boulogne-sur-mer", "confirmation": "Le-phare-de-Boulogne-sur-mer"])
                #expect(chosen.status == .seeOther)
                #expect(chosen.headers[.location] == "/agent")
                let home = try await lea.get("/agent")
                #expect(home.status == .ok && home.text.contains("Bonjour Léa"))
                #expect(!home.text.contains("/agents"), "an agent is not offered the agents page")
                #expect(try await lea.get("/agents").status == .forbidden)
                #expect(try await lea.get("/journal").status == .forbidden)

                // The link works once.
                let again = Browser(app: app, host: "\(pasDeCalais.slug).rdv.test")
                #expect(try await again.get(path).status == .notFound)

                // Signing in again with the chosen password works on Pas-de-Calais…
                let later = Browser(app: app, host: "\(pasDeCalais.slug).rdv.test")
                #expect(try await later.signIn("lea.invitee@pasdecalais.fr", password: "Le-phare-de-Boulogne-sur-mer") == 303)
                // …and nowhere else: neither the credentials nor the session cookie mean anything in Drôme.
                let inDrome = Browser(app: app, host: "\(drome.slug).rdv.test")
                #expect(try await inDrome.signIn("lea.invitee@pasdecalais.fr", password: "Le-phare-de-Boulogne-sur-mer") == 401)
                await inDrome.copyCookies(from: lea)
                let crossed = try await inDrome.get("/agent")
                #expect(crossed.status == .seeOther)
                #expect(crossed.headers[.location]?.hasPrefix("/connexion") == true)
            }
        }
    }

    @Test func anAdminCannotInviteIntoAnotherOrganisationOrAsDepartementAdmin() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let mine = try await world.makeOrganisation(in: tenant)
            let theirs = try await world.makeOrganisation(in: tenant)
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: mine)
            let totp = try await world.enrolSecondFactor(admin, in: tenant)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(admin.email, totp: totp)
                try await browser.get("/agents")
                let fields = ["first_name": "A", "last_name": "B", "email": "ab@exemple.fr"]
                let other = try await browser.post("/agents/invitations", fields.merging(["organisation": theirs.id.uuidString, "role": "agent"]) { $1 })
                #expect(other.status == .forbidden)
                let promoted = try await browser.post("/agents/invitations", fields.merging(["organisation": mine.id.uuidString, "role": "dept_admin"]) { $1 })
                #expect(promoted.status == .forbidden)
                let invalid = try await browser.post("/agents/invitations", ["first_name": "", "last_name": "B", "email": "pas-une-adresse", "organisation": mine.id.uuidString, "role": "agent"])
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("adresse électronique n’est pas valide"))
                #expect(try await world.outbox(of: tenant).isEmpty)
            }
        }
    }
}
