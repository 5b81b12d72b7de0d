import Foundation
import Testing
import TestSupport
import Webhooks

/// Events captured in the transaction of the change reach a real receiver, which checks them
/// with the `standardwebhooks` package and the legacy header with a plain HMAC.
@Suite struct WebhookSignatureTests {
    @Test func aChangeArrivesSignedInRDVSolidaritésShape() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (endpoint, secret) = try await fixture.createEndpoint(receiver.url("/ok?t=shape"))
                #expect(secret.text.hasPrefix("whsec_") && WebhookSecret(secret.text) != nil)
                try await receiver.trust([secret.text])

                let lieuID = try await fixture.makeLieu("Maison des solidarités")
                // A change rolled back is never sent.
                _ = try? await fixture.world.database.tenant(fixture.tenant).transaction { connection -> Void in
                    try await connection.query("UPDATE lieux SET name = 'Annulé' WHERE id = \(lieuID)")
                    throw CancellationError()
                }
                #expect(try await fixture.events(of: endpoint.id).map(\.event) == ["created"])
                #expect(try await fixture.worker().deliverDue(in: fixture.tenant) == 1)

                let received = try await receiver.received(path: "/ok?t=shape")
                let one = try #require(received.first)
                #expect(received.count == 1)
                #expect(one.standard == [secret.text], "standardwebhooks accepts the signature")
                #expect(one.legacy == [secret.text], "X-Lapin-Signature is the hex HMAC of the body")
                #expect(one.data["id"] as? String == lieuID.uuidString.lowercased())
                #expect(one.data["name"] as? String == "Maison des solidarités")
                #expect(one.meta["model"] as? String == "Lieu" && one.meta["event"] as? String == "created")
                #expect(one.meta["webhook_reason"] is NSNull && (one.meta["timestamp"] as? String)?.contains("T") == true)
                #expect(try await fixture.events(of: endpoint.id).map(\.state) == ["sent"])
            }
        }
    }

    @Test func aRotatedSecretSignsAlongsideTheFormerOneDuringTheGrace() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (endpoint, former) = try await fixture.createEndpoint(receiver.url("/ok?t=rotation"))
                let current = try await fixture.endpoints { try await $0.rotateSecret(endpoint.id) }
                #expect(current != former)
                try await receiver.trust([former.text, current.text])
                _ = try await fixture.makeLieu()
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let during = try #require(try await receiver.received(path: "/ok?t=rotation").last)
                #expect(Set(during.standard) == [former.text, current.text], "both secrets verify during the grace")
                #expect(during.legacy == [current.text], "the legacy header uses the current secret")
                #expect(during.signature.split(separator: " ").count == 2)

                // Once the grace is over, only the new secret signs.
                try await fixture.sql("UPDATE webhook_endpoints SET previous_secret_until = now() - interval '1 minute' WHERE id = \(endpoint.id)")
                _ = try await fixture.makeLieu()
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let after = try #require(try await receiver.received(path: "/ok?t=rotation").last)
                #expect(after.standard == [current.text] && after.signature.split(separator: " ").count == 1)
            }
        }
    }

    @Test func destroyedCarriesTheIdentityAndTheTransactionsReason() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (_, secret) = try await fixture.createEndpoint(receiver.url("/ok?t=destroyed"))
                try await receiver.trust([secret.text])
                let lieuID = try await fixture.makeLieu()
                try await fixture.world.database.tenant(fixture.tenant).transaction { connection in
                    try await connection.query("SELECT set_config('rdv.webhook_reason', 'rgpd', true)")
                    try await connection.query("DELETE FROM lieux WHERE id = \(lieuID)")
                }
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let received = try await receiver.received(path: "/ok?t=destroyed")
                #expect(received.map { $0.meta["event"] as? String } == ["created", "destroyed"])
                // The created event left after the deletion: its data is the identity only.
                #expect(received.allSatisfy { $0.data.keys.sorted() == ["id"] && $0.data["id"] as? String == lieuID.uuidString.lowercased() })
                #expect(received.last?.meta["webhook_reason"] as? String == "rgpd")
                #expect(received.first?.meta["webhook_reason"] is NSNull)
                #expect(received.allSatisfy { $0.standard == [secret.text] })
            }
        }
    }
}
