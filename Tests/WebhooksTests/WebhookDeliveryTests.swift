import Foundation
import Testing
import TestSupport
import Webhooks

/// Retries with backoff, order per resource, 410, dead letters, replay and resend-all, against
/// the real receiver.
@Suite struct WebhookDeliveryTests {
    @Test func failuresAreRetriedInOrderPerResourceWhileOthersGoOn() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let path = "/fail/1?t=order"
                let (endpoint, secret) = try await fixture.createEndpoint(receiver.url(path))
                try await receiver.trust([secret.text])
                let first = try await fixture.makeLieu("Premier")
                try await fixture.sql("UPDATE lieux SET address = '2 rue Neuve, Arras' WHERE id = \(first)")
                try await fixture.sql("UPDATE lieux SET status = 'disabled' WHERE id = \(first)")
                let worker = fixture.worker()
                let start = Date()

                // The first event fails (the receiver answers 500 once); its successors on the same lieu wait behind it.
                #expect(try await worker.deliverDue(in: fixture.tenant, now: start) == 1)
                var events = try await fixture.events(of: endpoint.id)
                #expect(events.map(\.state) == ["queued", "queued", "queued"] && events[0].attempts == 1)
                #expect(events[0].next > start.addingTimeInterval(20), "backoff before the next attempt")

                // Another lieu's event is not held up by the first one's trouble.
                let second = try await fixture.makeLieu("Second")
                // Now, not `start`: the new event was queued after it.
                #expect(try await worker.deliverDue(in: fixture.tenant, now: Date()) == 1)
                #expect(try await fixture.events(of: endpoint.id).last.map { "\($0.record) \($0.state)" } == "\(second.uuidString.lowercased()) sent")
                #expect(try await fixture.events(of: endpoint.id).prefix(3).map(\.state) == ["queued", "queued", "queued"])

                // After the backoff, the first lieu's events leave, in order.
                #expect(try await worker.deliverDue(in: fixture.tenant, now: start.addingTimeInterval(60)) == 3)
                events = try await fixture.events(of: endpoint.id)
                #expect(events.map(\.state) == ["sent", "sent", "sent", "sent"])
                #expect(events[0].attempts == 2)
                let received = try await receiver.received(path: path)
                #expect(received.map(\.status) == [500, 200, 200, 200, 200])
                let firstLieu = received.filter { $0.data["id"] as? String == first.uuidString.lowercased() && $0.status == 200 }
                #expect(firstLieu.map { $0.meta["event"] as? String } == ["created", "updated", "updated"])
                #expect(Set(received.filter { $0.data["id"] as? String == first.uuidString.lowercased() }.map(\.id)).count == 3, "a retry keeps its webhook-id")
                #expect(received.allSatisfy { $0.standard == [secret.text] && $0.legacy == [secret.text] })

                let log = try await fixture.endpoints { try await $0.deliveries(of: endpoint.id) }
                let oldest = try #require(log.last)
                #expect(oldest.attempts.map(\.statusCode) == [500, 200])
                #expect(oldest.attempts.allSatisfy { $0.durationMilliseconds != nil })
            }
        }
    }

    @Test func aGoneEndpointIsDisabledAndCapturesNothingMore() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (endpoint, _) = try await fixture.createEndpoint(receiver.url("/gone?t=410"))
                _ = try await fixture.makeLieu()
                _ = try await fixture.makeLieu()
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let found = try await fixture.endpoints { try await $0.find(endpoint.id) }
                #expect(!found.enabled && found.disabledReason?.contains("410") == true)
                #expect(try await receiver.received(path: "/gone?t=410").count == 1, "the rest was dropped, not posted")
                #expect(Set(try await fixture.events(of: endpoint.id).map(\.state)) == ["dead", "cancelled"])
                _ = try await fixture.makeLieu()
                #expect(try await fixture.events(of: endpoint.id).count == 2)
            }
        }
    }

    @Test func afterThreeDaysOfFailuresTheEventIsDeadThenReplayed() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (endpoint, secret) = try await fixture.createEndpoint(receiver.url("/fail/1000?t=dead"))
                try await receiver.trust([secret.text])
                let lieuID = try await fixture.makeLieu()
                let worker = fixture.worker()
                let start = Date()
                var now = start
                var rounds = 0
                while let event = try await fixture.events(of: endpoint.id).first, event.state == "queued", rounds < 60 {
                    now = max(now, event.next)
                    try await worker.deliverDue(in: fixture.tenant, now: now)
                    rounds += 1
                }
                let dead = try #require(try await fixture.events(of: endpoint.id).first)
                #expect(dead.state == "dead")
                #expect((12...30).contains(dead.attempts), "about twenty attempts, not \(dead.attempts)")
                #expect(now.timeIntervalSince(start) > 2 * 86_400 && now.timeIntervalSince(start) < 3 * 86_400)

                // Replayed from the log: a new event with the data of the moment.
                try await fixture.sql("UPDATE lieux SET name = 'Renommé' WHERE id = \(lieuID)")
                try await fixture.sql("UPDATE webhook_endpoints SET url = \(receiver.url("/ok?t=replay")) WHERE id = \(endpoint.id)")
                let log = try await fixture.endpoints { try await $0.deliveries(of: endpoint.id) }
                let deadEntry = try #require(log.first { $0.state == "dead" })
                try await fixture.endpoints { try await $0.replay(deadEntry.id, of: endpoint.id) }
                try await worker.deliverDue(in: fixture.tenant)
                let replayed = try await receiver.received(path: "/ok?t=replay")
                #expect(replayed.count == 2, "the replay and the rename")
                #expect(Set(replayed.compactMap { $0.meta["event"] as? String }) == ["created", "updated"])
                #expect(replayed.allSatisfy { $0.data["name"] as? String == "Renommé" })
                #expect(replayed.allSatisfy { $0.standard == [secret.text] })
                await #expect(throws: WebhookError.notFound) {
                    try await fixture.endpoints { try await $0.replay(UUID(), of: endpoint.id) }
                }
            }
        }
    }

    @Test func resendEverythingReplaysTheSubscribedRecordsOfTheOrganisation() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let otherOrganisation = try await world.makeOrganisation(in: fixture.tenant)
                let mine = [try await fixture.makeLieu(), try await fixture.makeLieu(), try await fixture.makeLieu()]
                try await fixture.sql("INSERT INTO lieux (organisation_id, name) VALUES (\(otherOrganisation.id), 'Ailleurs')")
                let (endpoint, secret) = try await fixture.createEndpoint(receiver.url("/ok?t=resync"), models: [.lieu, .motif])
                try await receiver.trust([secret.text])
                #expect(try await fixture.endpoints { try await $0.resendAll(endpoint.id) } == 3)
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let received = try await receiver.received(path: "/ok?t=resync")
                #expect(Set(received.compactMap { $0.data["id"] as? String }) == Set(mine.map { $0.uuidString.lowercased() }))
                #expect(received.allSatisfy { $0.meta["webhook_reason"] as? String == "resync" && $0.meta["event"] as? String == "updated" })
            }
        }
    }

    @Test func redirectsAreNotFollowedAndAnswersAreCutAtOneKibibyte() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (redirecting, _) = try await fixture.createEndpoint(receiver.url("/redirect?t=r"))
                let (big, _) = try await fixture.createEndpoint(receiver.url("/big?t=b"))
                _ = try await fixture.makeLieu()
                try await fixture.worker().deliverDue(in: fixture.tenant)
                #expect(try await receiver.received(path: "/ok").isEmpty, "the redirect was not followed")
                #expect(try await fixture.events(of: redirecting.id).first?.state == "queued")
                let redirectLog = try await fixture.endpoints { try await $0.deliveries(of: redirecting.id) }
                #expect(redirectLog.first?.attempts.first?.statusCode == 302)
                let excerpts = try await fixture.sql(
                    """
                    SELECT octet_length(a.response_excerpt) FROM message_attempts a JOIN messages m ON m.id = a.message_id
                    WHERE m.webhook_endpoint_id = \(big.id)
                    """
                ).map { try $0.decode(Int.self) }
                #expect(excerpts == [1024])
            }
        }
    }

    @Test func aSlowReceiverTimesOutAfterTenSeconds() async throws {
        try await TestWorld.run { world in
            try await WebhookReceiver.run { receiver in
                let fixture = try await WebhookFixture.make(world)
                let (endpoint, _) = try await fixture.createEndpoint(receiver.url("/slow?t=slow"))
                _ = try await fixture.makeLieu()
                let started = Date()
                try await fixture.worker().deliverDue(in: fixture.tenant)
                let elapsed = Date().timeIntervalSince(started)
                // A lower bound only: the upper one is the machine's load, not our code (the error says why it gave up).
                #expect(elapsed >= 9.5, "waited for the timeout, not \(elapsed)")
                let log = try await fixture.endpoints { try await $0.deliveries(of: endpoint.id) }
                let attempt = try #require(log.first?.attempts.first)
                #expect(attempt.statusCode == nil && attempt.error.contains("10 secondes"))
                #expect(try await fixture.events(of: endpoint.id).first?.state == "queued")
            }
        }
    }
}
