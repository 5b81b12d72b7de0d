import Agenda
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Notifications
import Scheduling
import Synchronization
import Testing
import TestSupport
import Transports
@testable import Tenancy

/// A local SMS provider for the tests: records what it receives, answers as told.
final class ProviderStub: Sendable {
    struct Received: Sendable, Hashable {
        let to: String
        let text: String
        let reference: String
        let apiKey: String
    }

    let received = Mutex<[Received]>([])
    /// Every request to /sms, answered or not.
    let requests = Mutex(0)
    /// Status codes to answer in turn (then 200); a negative one means "answer after 3 seconds".
    let script = Mutex<[Int]>([])

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/sms") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String])
            let status = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            self.requests.withLock { $0 += 1 }
            if status < 0 { try await Task.sleep(for: .seconds(3)) }
            guard status == 200 || status < 0 else { return Response(status: .init(code: status)) }
            self.received.withLock {
                $0.append(Received(to: json["to"] ?? "", text: json["text"] ?? "", reference: json["reference"] ?? "", apiKey: request.headers[.init("X-API-Key")!] ?? ""))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"id":"prov-\#(UUID().uuidString)"}"#)))
        }
        router.post("/generic") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
            self.received.withLock {
                $0.append(Received(
                    to: json["destinataire"] as? String ?? "", text: (json["contenu"] as? [String: String])?["texte"] ?? "",
                    reference: json["ref"] as? String ?? "", apiKey: request.headers[.authorization] ?? ""
                ))
            }
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"messageId": 4242}"#)))
        }
        return router
    }
}

/// A clock that moves `step` seconds each time it is read.
final class SteppingClock: Sendable {
    let current: Mutex<Date>
    let step: TimeInterval

    init(start: Date, step: TimeInterval) {
        current = Mutex(start)
        self.step = step
    }

    func next() -> Date {
        current.withLock { $0 = $0.addingTimeInterval(step); return $0 }
    }

    func peek() -> Date { current.withLock { $0 } }
}

/// An email transport that, at each message, looks for a message still held by the worker
/// ('sending') whose lease has run out by the worker's clock.
final class LeaseWatchingTransport: MessageTransport, Sendable {
    let database: Database
    let tenant: Tenant
    let clock: SteppingClock
    let checks = Mutex(0)
    let expired = Mutex<[String]>([])

    init(database: Database, tenant: Tenant, clock: SteppingClock) {
        self.database = database
        self.tenant = tenant
        self.clock = clock
    }

    func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        let now = clock.peek()
        let soonest = try? await database.tenant(tenant).transaction { connection in
            try await connection.query("SELECT min(locked_until) FROM messages WHERE state = 'sending'").decode(Date?.self).first(where: { _ in true }) ?? nil
        }
        checks.withLock { $0 += 1 }
        if let soonest = soonest ?? nil, soonest <= now { expired.withLock { $0.append("\(soonest) <= \(now)") } }
        return .sent(providerReference: nil)
    }
}

/// What a test's SMS transport factory was asked for.
final class FactoryCalls: Sendable {
    let calls = Mutex<[String]>([])
}

@Suite struct DeliveryTests {
    /// Points the département's SMS at the stub, with a sealed API key.
    func useStub(_ fixture: NoticeFixture, port: Int, _ world: TestWorld) async throws {
        let sealed = try CredentialBox(secret: TestWorld.secretKey).seal("clé-secrète")
        try await world.database.tenant(fixture.tenant).transaction { connection in
            try await connection.query(
                """
                UPDATE notification_settings SET sms_provider = 'http_json', sms_endpoint = \("http://127.0.0.1:\(port)/sms"),
                    sms_sender = 'Dept62', sms_api_key_sealed = \(sealed)
                """
            )
        }
    }

    func states(_ fixture: NoticeFixture, _ world: TestWorld, channel: String) async throws -> [String] {
        try await fixture.messages(world).filter { $0.channel == channel && $0.kind == "confirmation" }.map(\.state)
    }

    @Test func theProviderFailsThenAnswersAndTheMessageGoesOnceWithItsKey() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            let stub = ProviderStub()
            stub.script.withLock { $0 = [500, 503] }
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(fixture, port: try #require(client.port), world)
                let worker = fixture.worker(world)
                let now = Date()
                try await worker.deliverDue(in: fixture.tenant, now: now)
                #expect(try await states(fixture, world, channel: "sms") == ["queued"], "a 500 is worth another try")
                // Too early for the retry: nothing; after the backoff: another 503, then a 200.
                #expect(try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(10)) == 0)
                try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(60))
                try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(300))
                #expect(try await states(fixture, world, channel: "sms") == ["sent"])
                let received = stub.received.withLock { $0 }
                #expect(received.count == 1 && received[0].to == "+33612345678" && received[0].apiKey == "clé-secrète")
                let attempts = try await world.database.tenant(fixture.tenant).transaction { connection in
                    var outcomes: [String] = []
                    for try await outcome in try await connection.query(
                        "SELECT a.outcome FROM message_attempts a JOIN messages m ON m.id = a.message_id WHERE m.channel = 'sms' AND m.kind = 'confirmation' ORDER BY a.id"
                    ).decode(String.self) { outcomes.append(outcome) }
                    return outcomes
                }
                #expect(attempts == ["temporary_failure", "temporary_failure", "sent"])
            }
        }
    }

    @Test func refusedForGoodOrTooSlowOrNeverAnswering() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            let stub = ProviderStub()
            stub.script.withLock { $0 = [400] }
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(fixture, port: try #require(client.port), world)
                try await fixture.worker(world).deliverDue(in: fixture.tenant, now: Date())
                #expect(try await states(fixture, world, channel: "sms") == ["dead"], "a 400 will not get better")
            }
            // Nothing listening any more: a temporary failure, retried later.
            let second = try await NoticeFixture.make(world)
            try await useStub(second, port: 9, world)
            try await second.worker(world).deliverDue(in: second.tenant, now: Date())
            #expect(try await states(second, world, channel: "sms") == ["queued"])
            let lastError = try await world.database.tenant(second.tenant).transaction { connection in
                try await connection.query("SELECT last_error FROM messages WHERE channel = 'sms' AND kind = 'confirmation'").decode(String?.self).first(where: { _ in true }) ?? nil
            }
            #expect(lastError == "fournisseur SMS injoignable")
        }
    }

    @Test func aGenericProviderGetsItsOwnJSONShapeAndHeader() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            let stub = ProviderStub()
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                let sealed = try CredentialBox(secret: TestWorld.secretKey).seal("Bearer jeton")
                let template = #"{"destinataire": "{{to}}", "contenu": {"texte": "{{text}}"}, "ref": "{{reference}}"}"#
                try await world.database.tenant(fixture.tenant).transaction { connection in
                    try await connection.query(
                        """
                        UPDATE notification_settings SET sms_provider = 'generic_json', sms_endpoint = \("http://127.0.0.1:\(try #require(client.port))/generic"),
                            sms_key_header = 'Authorization', sms_body_template = \(template), sms_id_field = 'messageId', sms_api_key_sealed = \(sealed)
                        """
                    )
                }
                try await fixture.worker(world).deliverDue(in: fixture.tenant, now: Date())
                let received = try #require(stub.received.withLock { $0 }.first)
                #expect(received.to == "+33612345678" && received.apiKey == "Bearer jeton" && received.text.contains("RDV confirmé") && !received.reference.isEmpty)
                let reference = try await world.database.tenant(fixture.tenant).transaction { connection in
                    try await connection.query("SELECT provider_reference FROM messages WHERE channel = 'sms' AND state = 'sent'").decode(String?.self).first(where: { _ in true }) ?? nil
                }
                #expect(reference == "4242")
            }
            // Quotes and line breaks in a text stay JSON.
            let body = try #require(SMSBodyTemplate.body(template: #"{"t": "{{text}}"}"#, to: "", text: "a \"b\"\nc", from: "", reference: ""))
            #expect((try JSONSerialization.jsonObject(with: body) as? [String: String])?["t"] == "a \"b\"\nc")
            #expect(SMSBodyTemplate.body(template: #"{"t": {{text}}}"#, to: "", text: "x", from: "", reference: "") == nil)
        }
    }

    @Test func eachDepartementsMessagesGoThroughItsOwnProviderOnly() async throws {
        try await TestWorld.run { world in
            let mine = try await NoticeFixture.make(world)
            let theirs = try await NoticeFixture.make(world)
            let stub = ProviderStub()
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(mine, port: try #require(client.port), world)
                let worker = mine.worker(world)
                try await worker.deliverDue(in: mine.tenant, now: Date())
                try await worker.deliverDue(in: theirs.tenant, now: Date())
                #expect(stub.received.withLock { $0.count } == 1, "only my département's SMS reaches my provider")
                let references = try await world.database.tenant(theirs.tenant).transaction { connection in
                    var references: [String] = []
                    for try await reference in try await connection.query("SELECT provider_reference FROM messages WHERE channel = 'sms' AND state = 'sent'").decode(String.self) {
                        references.append(reference)
                    }
                    return references
                }
                #expect(references.count == 1 && references.allSatisfy { $0.hasPrefix("sandbox-") })
            }
        }
    }

    /// A provider that answers 503 is asked once per batch, not once per message: the other SMS
    /// go back to the queue untried (their attempts untouched) and the emails go on.
    @Test func anUnavailableProviderRestsTheSMSChannelWhileTheEmailsGo() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                for index in 0..<9 {
                    try await connection.query(
                        "INSERT INTO messages (channel, kind, recipient, body, expires_at) VALUES ('sms', 'agent_notice', \("+3361234\(String(format: "%04d", index))"), 'x', now() + interval '1 day')"
                    )
                    try await connection.query(
                        "INSERT INTO messages (channel, kind, recipient, subject, body, expires_at) VALUES ('email', 'account', \("agent\(index)@rdv.test"), 'Objet', 'x', now() + interval '1 day')"
                    )
                }
            }
            let stub = ProviderStub()
            stub.script.withLock { $0 = [503] }
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(fixture, port: try #require(client.port), world)
                let worker = fixture.worker(world)
                let now = Date()
                try await worker.deliverDue(in: fixture.tenant, now: now)
                #expect(stub.requests.withLock { $0 } == 1, "one request to a provider that is down, not ten")
                let rows = try await world.database.tenant(fixture.tenant).transaction { connection in
                    var rows: [(String, String, Int, Int)] = []
                    for try await row in try await connection.query(
                        """
                        SELECT m.channel, m.state, m.attempts, (SELECT count(*)::int FROM message_attempts a WHERE a.message_id = m.id)
                        FROM messages m WHERE m.not_before <= now()
                        """
                    ).decode((String, String, Int, Int).self) { rows.append(row) }
                    return rows
                }
                let sms = rows.filter { $0.0 == "sms" }, emails = rows.filter { $0.0 == "email" }
                #expect(sms.count == 10 && sms.allSatisfy { $0.1 == "queued" })
                #expect(sms.filter { $0.2 == 1 && $0.3 == 1 }.count == 1 && sms.filter { $0.2 == 0 && $0.3 == 0 }.count == 9, "the others were not tried")
                #expect(emails.count == 10 && emails.allSatisfy { $0.1 == "sent" }, "the email channel goes on")
                // While the channel rests, nothing goes to the provider; after, everything does.
                #expect(try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(MessageQueue.pause - 5)) == 0)
                try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(40))
                #expect(try await states(fixture, world, channel: "sms") == ["sent"])
                #expect(stub.received.withLock { $0.count } == 10 && stub.requests.withLock { $0 } == 11)
            }
        }
    }

    /// A batch slower than the lease (a slow relay) renews it: no message it still holds ever
    /// looks abandoned to another worker.
    @Test func aSlowBatchKeepsTheLeaseOfWhatItStillHolds() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                for index in 0..<6 {
                    try await connection.query(
                        "INSERT INTO messages (channel, kind, recipient, subject, body, expires_at) VALUES ('email', 'account', \("agent\(index)@rdv.test"), 'Objet', 'x', now() + interval '1 day')"
                    )
                }
            }
            let clock = SteppingClock(start: Date(), step: 50)
            let transport = LeaseWatchingTransport(database: world.database, tenant: fixture.tenant, clock: clock)
            let worker = NotificationWorker(
                database: world.database,
                configuration: DeliveryConfiguration(email: transport, smsTransport: SMSProviders.factory(), secret: TestWorld.secretKey, sandboxAllowed: true),
                logger: Logger(label: "rdv.tests.worker"), clock: { clock.next() }
            )
            #expect(try await worker.deliverDue(in: fixture.tenant) == 8)
            #expect(transport.checks.withLock { $0 } == 7, "every email checked the leases")
            #expect(transport.expired.withLock { $0 }.isEmpty, "a held message whose lease ran out: \(transport.expired.withLock { $0 })")
            #expect(try await fixture.messages(world).filter { $0.notBefore <= Date() }.allSatisfy { $0.state == "sent" })
            // Sending times follow the clock, not the start of the batch.
            let spread = try await world.database.tenant(fixture.tenant).transaction { connection in
                try await connection.query("SELECT extract(epoch FROM max(sent_at) - min(sent_at))::int FROM messages WHERE state = 'sent'").decode(Int.self).first(where: { _ in true }) ?? 0
            }
            #expect(spread >= 600)
        }
    }

    @Test func aProviderTooSlowToAnswerIsATemporaryFailure() async throws {
        let stub = ProviderStub()
        stub.script.withLock { $0 = [-1] }
        let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let transport = HTTPJSONSMSTransport(configuration: .init(
                endpoint: "http://127.0.0.1:\(try #require(client.port))/sms", apiKey: "k", sender: "Dept62", timeout: .milliseconds(500)
            ))
            let message = OutgoingMessage(
                id: UUID(), channel: .sms, kind: "reminder", recipient: "+33612345678", subject: "", body: "Rappel", calendar: nil,
                calendarMethod: nil, idempotencyKey: "clé-1", attempts: 1
            )
            #expect(await transport.deliver(message) == .unavailable("fournisseur SMS injoignable"))
        }
    }

    @Test func aWorkerKilledBetweenSendingAndRecordingCausesOneDuplicateAndNoLoss() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            let stub = ProviderStub()
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(fixture, port: try #require(client.port), world)
                let now = Date()
                // The first worker claims and sends, then dies before recording anything.
                let claimed = try await world.database.tenant(fixture.tenant).transaction { try await MessageQueue($0).claim(now: now, limit: 10) }
                let sms = try #require(claimed.first { $0.channel == .sms })
                _ = await HTTPJSONSMSTransport(configuration: .init(endpoint: "http://127.0.0.1:\(try #require(client.port))/sms", apiKey: "clé-secrète", sender: "Dept62")).deliver(sms)
                // While its lease runs, another worker leaves the message alone; after it, sends it again.
                let worker = fixture.worker(world)
                try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(60))
                #expect(stub.received.withLock { $0.count } == 1)
                try await worker.deliverDue(in: fixture.tenant, now: now.addingTimeInterval(MessageQueue.lease + 1))
                let received = stub.received.withLock { $0 }
                #expect(received.count == 2 && Set(received.map(\.reference)).count == 1, "one duplicate, with the same idempotency key")
                #expect(try await states(fixture, world, channel: "sms") == ["sent"])
                #expect(try await states(fixture, world, channel: "email") == ["sent"], "the email left too")
            }
        }
    }

    @Test func twoWorkersAtOnceSendEachMessageOnce() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                for index in 0..<40 {
                    try await connection.query(
                        "INSERT INTO messages (channel, kind, recipient, body, expires_at) VALUES ('sms', 'agent_notice', \("+3361234\(String(format: "%04d", index))"), 'x', now() + interval '1 day')"
                    )
                }
            }
            let stub = ProviderStub()
            let app = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await useStub(fixture, port: try #require(client.port), world)
                let first = fixture.worker(world, batchSize: 5), second = fixture.worker(world, batchSize: 5)
                async let a = first.deliverDue(in: fixture.tenant, now: Date())
                async let b = second.deliverDue(in: fixture.tenant, now: Date())
                let total = try await a + b
                let received = stub.received.withLock { $0 }
                #expect(received.count == 41 && Set(received.map(\.reference)).count == 41, "41 SMS, each once")
                #expect(total == 42, "41 SMS and 1 email, each attempted by one worker only")
            }
        }
    }

    @Test func theWorkerTakesEachDepartementsSMSTransportFromItsConfiguration() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            try await useStub(fixture, port: 9, world)
            let asked = FactoryCalls()
            let worker = NotificationWorker(
                database: world.database,
                configuration: DeliveryConfiguration(
                    email: SandboxTransport(),
                    smsTransport: { settings, key in
                        asked.calls.withLock { $0.append("\(settings.smsProvider) \(settings.smsEndpoint) \(key)") }
                        return SandboxTransport()
                    },
                    secret: TestWorld.secretKey, sandboxAllowed: false
                ),
                logger: Logger(label: "rdv.tests.worker")
            )
            try await worker.deliverDue(in: fixture.tenant, now: Date())
            #expect(asked.calls.withLock { $0 } == ["http_json http://127.0.0.1:9/sms clé-secrète"], "settings and unsealed key")
            #expect(try await states(fixture, world, channel: "sms") == ["sent"])
            // A provider the configuration does not reach: the SMS waits, and says why.
            let second = try await NoticeFixture.make(world)
            try await useStub(second, port: 9, world)
            let unreached = NotificationWorker(
                database: world.database,
                configuration: DeliveryConfiguration(email: SandboxTransport(), smsTransport: { _, _ in nil }, secret: TestWorld.secretKey, sandboxAllowed: true),
                logger: Logger(label: "rdv.tests.worker")
            )
            try await unreached.deliverDue(in: second.tenant, now: Date())
            #expect(try await states(second, world, channel: "sms") == ["queued"])
            let lastError = try await world.database.tenant(second.tenant).transaction { connection in
                try await connection.query("SELECT last_error FROM messages WHERE channel = 'sms' AND kind = 'confirmation'").decode(String?.self).first(where: { _ in true }) ?? nil
            }
            #expect(lastError == "fournisseur SMS inconnu")
        }
    }

    @Test func theDailyCapStopsAFloodToOneNumber() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                for _ in 0..<10 {
                    try await connection.query("INSERT INTO messages (channel, kind, recipient, body) VALUES ('sms', 'reminder', '+33612345678', 'Rappel')")
                }
            }
            try await fixture.worker(world).deliverDue(in: fixture.tenant, now: Date())
            let states = try await world.database.tenant(fixture.tenant).transaction { connection in
                var counts: [String: Int] = [:]
                for try await (state, count) in try await connection.query(
                    "SELECT state, count(*)::int FROM messages WHERE channel = 'sms' AND kind <> 'reminder' OR body = 'Rappel' GROUP BY state"
                ).decode((String, Int).self) { counts[state] = count }
                return counts
            }
            #expect(states == ["sent": 8, "dead": 3], "the département's cap: \(states)")
        }
    }
}
