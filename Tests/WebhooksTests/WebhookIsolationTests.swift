import Foundation
import Testing
import TestSupport
import Webhooks

/// Webhooks from another département's side: its changes never reach this département's
/// endpoints, its worker pass delivers only its own outbox, and its endpoints and deliveries
/// are not found through this département's use cases.
@Suite struct WebhookIsolationTests {
    @Test func changesOfOneDepartementReachOnlyItsOwnEndpoints() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let mine = try await WebhookFixture.make(world, name: "Pas-de-Calais")
                let theirs = try await WebhookFixture.make(world, name: "Drôme")
                let (myEndpoint, mySecret) = try await mine.createEndpoint(receiver.url("/ok?t=mine"))
                let (theirEndpoint, theirSecret) = try await theirs.createEndpoint(receiver.url("/ok?t=theirs"))
                try await receiver.trust([mySecret.text, theirSecret.text])

                let theirLieu = try await theirs.makeLieu("Lieu de la Drôme")
                // My département's pass sends nothing: the change is in the other's outbox.
                #expect(try await mine.worker().deliverDue(in: mine.tenant) == 0)
                #expect(try await receiver.received(path: "/ok?t=mine").isEmpty)
                #expect(try await receiver.received(path: "/ok?t=theirs").isEmpty)

                #expect(try await theirs.worker().deliverDue(in: theirs.tenant) == 1)
                let delivered = try await receiver.received(path: "/ok?t=theirs")
                #expect(delivered.map { $0.data["id"] as? String } == [theirLieu.uuidString.lowercased()])
                #expect(delivered.allSatisfy { $0.standard == [theirSecret.text] }, "signed with their endpoint's secret only")
                #expect(try await receiver.received(path: "/ok?t=mine").isEmpty)

                // A resync of my endpoint replays my records, none of theirs.
                let myLieu = try await mine.makeLieu("Lieu du Pas-de-Calais")
                #expect(try await mine.endpoints { try await $0.resendAll(myEndpoint.id) } == 1)
                try await mine.worker().deliverDue(in: mine.tenant)
                let received = try await receiver.received(path: "/ok?t=mine")
                #expect(Set(received.compactMap { $0.data["id"] as? String }) == [myLieu.uuidString.lowercased()])

                // Their endpoint and its deliveries do not exist for my département's use cases.
                let theirDelivery = try #require(try await theirs.endpoints { try await $0.deliveries(of: theirEndpoint.id) }.first)
                await #expect(throws: WebhookError.notFound) { try await mine.endpoints { try await $0.find(theirEndpoint.id) } }
                await #expect(throws: WebhookError.notFound) { try await mine.endpoints { try await $0.resendAll(theirEndpoint.id) } }
                await #expect(throws: WebhookError.notFound) { try await mine.endpoints { try await $0.replay(theirDelivery.id, of: myEndpoint.id) } }
                await #expect(throws: WebhookError.notFound) { try await mine.endpoints { try await $0.delete(theirEndpoint.id) } }
                #expect(try await theirs.endpoints { try await $0.find(theirEndpoint.id) }.enabled)
            }
        }
    }
}
