import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy
import Webhooks

/// The département's administrator manages webhooks from its pages: creation with the secret
/// shown once, French refusals, the delivery log with its failed attempts, replay, resync,
/// rotation and deletion; other roles are turned away.
@Suite struct WebhookPagesTests {
    @Test func anAdministratorCreatesReadsReplaysRotatesAndDeletesAWebhook() async throws {
        try await TestWorld.run { world in
            let fixture = try await WebhookFixture.make(world)
            let totp = try await world.enrolSecondFactor(fixture.admin, in: fixture.tenant)
            let agent = try await world.makeAgent(in: fixture.tenant, role: .admin, organisation: fixture.organisation)
            let host = "\(fixture.tenant.slug).rdv.test"
            // Nothing listens on port 9 of the loopback: every attempt fails and is logged.
            let target = "http://127.0.0.1:9/recepteur"
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: host)
                #expect(try await browser.signIn(fixture.admin.email, totp: totp) == 303)
                let empty = try await browser.get("/webhooks")
                #expect(empty.status == .ok && empty.text.contains(fixture.organisation.name))

                let base = ["organisation": fixture.organisation.id.uuidString, "url": target, "description": "Logiciel de suivi"]
                let noModel = try await browser.post("/webhooks", base)
                #expect(noModel.status == .unprocessableContent && noModel.text.contains("Choisissez au moins un type d’objet"))
                let metadata = try await browser.post("/webhooks", base.merging(["url": "http://169.254.169.254/latest", "model_lieu": "on"]) { $1 })
                #expect(metadata.status == .unprocessableContent && metadata.text.contains("métadonnées de l’hébergeur"))
                let malformed = try await browser.post("/webhooks", base.merging(["url": "ftp://exemple.fr/x", "model_lieu": "on"]) { $1 })
                #expect(malformed.status == .unprocessableContent && malformed.text.contains("s’écrit https://"))
                #expect(try await fixture.endpoints { try await $0.list() }.isEmpty, "nothing was written by the refusals")

                let created = try await browser.post("/webhooks", base.merging(["model_lieu": "on", "model_rdv": "on"]) { $1 })
                #expect(created.status == .ok && created.text.contains("Webhook créé."))
                let secret = try #require(created.text.components(separatedBy: "<code>").dropFirst().first?.components(separatedBy: "</code>").first)
                #expect(secret.hasPrefix("whsec_"))
                let endpoint = try #require(try await fixture.endpoints { try await $0.list() }.first)
                #expect(endpoint.models == [.rdv, .lieu] && endpoint.url == target && endpoint.enabled)

                // The secret is shown once: the endpoint's page does not carry it again.
                let page = try await browser.get("/webhooks/\(endpoint.id)")
                #expect(page.status == .ok && page.text.contains("Webhook vers \(target)") && !page.text.contains(secret))
                #expect(page.text.contains("Aucun envoi pour l’instant."))

                // A lieu is created; the worker tries and fails; the log shows the attempt and its error.
                _ = try await fixture.makeLieu("Maison des solidarités")
                #expect(try await fixture.worker().deliverDue(in: fixture.tenant) == 1)
                let log = try await browser.get("/webhooks/\(endpoint.id)")
                #expect(log.text.contains("Lieux · création") && log.text.contains("nouvel essai prévu") && log.text.contains("Rejouer"))
                let delivery = try #require(try await fixture.endpoints { try await $0.deliveries(of: endpoint.id) }.first)
                #expect(delivery.attempts.count == 1 && delivery.attempts[0].statusCode == nil && !delivery.attempts[0].error.isEmpty)

                let replayed = try await browser.post("/webhooks/\(endpoint.id)/envois/\(delivery.id)/rejouer", [:])
                #expect(replayed.status == .ok && replayed.text.contains("L’envoi repart"))
                #expect(try await browser.post("/webhooks/\(endpoint.id)/envois/\(UUID())/rejouer", [:]).status == .notFound)
                let resync = try await browser.post("/webhooks/\(endpoint.id)/tout-renvoyer", [:])
                #expect(resync.status == .ok && resync.text.contains("1 envoi programmé pour la resynchronisation."))

                // Editing: a refused address changes nothing; a good one is saved.
                let refused = try await browser.post("/webhooks/\(endpoint.id)", base.merging(["url": "http://10.0.0.8/x", "model_lieu": "on", "editing": "1"]) { $1 })
                #expect(refused.status == .unprocessableContent && refused.text.contains("réseau privé"))
                #expect(try await fixture.endpoints { try await $0.find(endpoint.id) }.url == target)
                let saved = try await browser.post("/webhooks/\(endpoint.id)", base.merging(["model_plage": "on", "editing": "1"]) { $1 })
                #expect(saved.status == .ok && saved.text.contains("Webhook enregistré."))
                let edited = try await fixture.endpoints { try await $0.find(endpoint.id) }
                #expect(edited.models == [.plage] && !edited.enabled, "the box « Actif » was not ticked")

                let rotated = try await browser.post("/webhooks/\(endpoint.id)/secret", [:])
                let second = try #require(rotated.text.components(separatedBy: "<code>").dropFirst().first?.components(separatedBy: "</code>").first)
                #expect(rotated.text.contains("l’ancien signe encore pendant 24 heures") && second.hasPrefix("whsec_") && second != secret)

                // Another administrator of an organisation (not of the département) may not manage webhooks.
                let other = Browser(app: app, host: host)
                try await other.signIn(agent.email, totp: try await world.enrolSecondFactor(agent, in: fixture.tenant))
                #expect(try await other.get("/webhooks").status == .forbidden)
                #expect(try await other.get("/webhooks/\(endpoint.id)").status == .forbidden)
                #expect(try await other.post("/webhooks/\(endpoint.id)/supprimer", [:]).status == .forbidden)

                let deleted = try await browser.post("/webhooks/\(endpoint.id)/supprimer", [:])
                #expect(deleted.status == .ok && deleted.text.contains("Webhook supprimé."))
                #expect(try await browser.get("/webhooks/\(endpoint.id)").status == .notFound)
                #expect(try await fixture.endpoints { try await $0.list() }.isEmpty)
            }
        }
    }
}
