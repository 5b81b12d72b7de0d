import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Logging
import Testing
import TestSupport
@testable import Tenancy
import Transports
import Webhooks

/// Webhook endpoints through the API, for the département's administrators: the secret once,
/// the delivery log with each attempt, replay and resync, the target policy's refusals as 422,
/// over real HTTP to a real receiver that checks the signatures with `standardwebhooks`.
@Suite struct APIWebhookTests {
    /// A département with an organisation, its administrator's write and read tokens, and a plain agent's write token.
    struct Fixture {
        let tenant: Tenant
        let organisation: Organisation
        let admin: String
        let adminReadOnly: String
        let agent: String
        var host: String { "\(tenant.slug).rdv.test" }

        static func make(_ world: TestWorld) async throws -> Fixture {
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let admin = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
            let agent = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation)
            return try await world.database.tenant(tenant).transaction { connection in
                let tokens = APITokenRepository(connection)
                return Fixture(
                    tenant: tenant, organisation: organisation,
                    admin: try await tokens.create(agentID: admin.id, name: "Supervision", scopes: [.read, .write], days: 30).secret,
                    adminReadOnly: try await tokens.create(agentID: admin.id, name: "Lecture", scopes: [.read], days: 30).secret,
                    agent: try await tokens.create(agentID: agent.id, name: "Outil", scopes: [.read, .write], days: 30).secret
                )
            }
        }

        /// Delivers what is due at `now`, as the worker process does.
        func deliver(_ world: TestWorld, now: Date = Date()) async throws -> Int {
            var logger = Logger(label: "rdv.tests.api-webhooks")
            logger.logLevel = .critical
            let worker = WebhookWorker(
                database: world.database,
                configuration: WebhookConfiguration(
                    transport: WebhookHTTPTransport(), policy: WebhookTargetPolicy(requiresHTTPS: false, allowedKinds: [.loopback]),
                    platformSecret: TestWorld.secretKey
                ),
                logger: logger
            )
            return try await worker.deliverDue(in: tenant, now: now)
        }
    }

    @Test func anAdministratorCreatesReadsAndFollowsAnEndpointsDeliveries() async throws {
        try await TestWorld.run { world in
            let f = try await Fixture.make(world)
            try await APIReceiver.run { receiver in
                try await world.withLiveApp { app in
                    let api = APIClient(app: app, host: f.host, token: f.admin)
                    let path = "/fail/1?test=\(UUID().uuidString)"
                    let created = try await api.post("/webhook_endpoints", jsonText([
                        "organisation_id": f.organisation.id.uuidString, "url": receiver.url(path), "description": "Logiciel de suivi", "models": ["lieu"],
                    ]))
                    #expect(created.status == .created, "\(created.text)")
                    let id = try #require(created.object["id"] as? String)
                    let secret = try #require(created.object["secret"] as? String)
                    #expect(secret.hasPrefix("whsec_"))
                    #expect(created.headers[.location] == "/api/v1/webhook_endpoints/\(id)")
                    #expect(created.object["models"] as? [String] == ["lieu"] && created.object["enabled"] as? Bool == true)

                    // Reads never show the secret; the read's ETag is the create's.
                    let read = try await api.get("/webhook_endpoints/\(id)")
                    #expect(read.status == .ok && read.object["secret"] == nil && !read.text.contains("whsec_"))
                    #expect(read.headers[.eTag] == created.headers[.eTag])
                    let listed = try await api.get("/webhook_endpoints")
                    #expect(listed.items.map { $0["id"] as? String } == [id] && !listed.text.contains("whsec_"))

                    // A lieu of the organisation: an event, refused once by the receiver (500), then delivered.
                    try await receiver.trust([secret])
                    _ = try await world.database.tenant(f.tenant).transaction {
                        try await AgendaCatalog($0).ensureLieu(organisationID: f.organisation.id, name: "Maison des solidarités", address: "1 rue de la Paix, Arras")
                    }
                    #expect(try await f.deliver(world) == 1)
                    var deliveries = try await api.get("/webhook_endpoints/\(id)/deliveries").items
                    let first = try #require(deliveries.first)
                    var attempts = first["attempts"] as? [[String: Any]] ?? []
                    #expect(deliveries.count == 1 && first["model"] as? String == "lieu" && first["event"] as? String == "created")
                    #expect(attempts.count == 1 && attempts.first?["status_code"] as? Int == 500 && attempts.first?["duration_ms"] is Int)
                    #expect((attempts.first?["error"] as? String)?.isEmpty == false && first["state"] as? String == "queued")
                    #expect(try await f.deliver(world, now: Date().addingTimeInterval(3600)) == 1)
                    deliveries = try await api.get("/webhook_endpoints/\(id)/deliveries").items
                    attempts = deliveries.first?["attempts"] as? [[String: Any]] ?? []
                    #expect(deliveries.first?["state"] as? String == "sent" && attempts.map { $0["status_code"] as? Int } == [500, 200])

                    // Replay: the event again, signed with the secret the create showed.
                    let deliveryID = try #require(deliveries.first?["id"] as? String)
                    let replayed = try await api.post("/webhook_endpoints/\(id)/deliveries/\(deliveryID)/replay", "{}")
                    #expect(replayed.status == .accepted && replayed.object["count"] as? Int == 1)
                    #expect(try await f.deliver(world) == 1)
                    let received = try await receiver.received(path: path)
                    #expect(received.count == 3 && received.allSatisfy { $0.standard == [secret] && $0.legacy == [secret] })
                    #expect(try await api.post("/webhook_endpoints/\(id)/deliveries/\(UUID())/replay", "{}").status == .notFound)

                    // Resend everything: every lieu of the organisation, counted.
                    let resent = try await api.post("/webhook_endpoints/\(id)/resend_all", "{}")
                    #expect(resent.status == .accepted && resent.object["count"] as? Int == 1)
                    #expect(try await api.get("/webhook_endpoints/\(id)/deliveries").items.first?["reason"] as? String == "resync")

                    // Rotation: a new secret once, the former one still signing for a while.
                    let rotated = try await api.post("/webhook_endpoints/\(id)/rotate_secret", "{}")
                    let newSecret = try #require(rotated.object["secret"] as? String)
                    #expect(rotated.status == .ok && newSecret.hasPrefix("whsec_") && newSecret != secret)
                    let after = try await api.get("/webhook_endpoints/\(id)")
                    #expect(after.object["previous_secret_until"] is String && !after.text.contains("whsec_"))
                    #expect(rotated.headers[.eTag] == after.headers[.eTag])

                    // A change, then a deletion.
                    let changed = try await api.send(.patch, "/api/v1/webhook_endpoints/\(id)", json: jsonText(["description": "Suivi", "models": ["lieu", "rdv"]]))
                    #expect(changed.status == .ok && changed.object["description"] as? String == "Suivi" && changed.object["models"] as? [String] == ["rdv", "lieu"])
                    #expect(changed.object["url"] as? String == receiver.url(path))
                    #expect(try await api.send(.delete, "/api/v1/webhook_endpoints/\(id)").status == .noContent)
                    #expect(try await api.get("/webhook_endpoints/\(id)").status == .notFound)
                    #expect(try await api.send(.delete, "/api/v1/webhook_endpoints/\(id)").status == .notFound)
                }
            }
        }
    }

    @Test func onlyTheDepartementsAdministratorsWithAWriteTokenManageWebhooks() async throws {
        try await TestWorld.run { world in
            let f = try await Fixture.make(world)
            let endpointID = try await world.database.tenant(f.tenant).transaction { connection in
                let admin = try #require(try await AgentRepository(connection).all(in: nil).first { $0.role == .deptAdmin })
                return try await WebhookEndpoints(
                    connection, actor: admin.actor, platformSecret: TestWorld.secretKey, policy: WebhookTargetPolicy(requiresHTTPS: false, allowedKinds: [.loopback])
                ).create(WebhookEndpointDraft(organisationID: f.organisation.id, url: "http://127.0.0.1:9/hook", description: "", models: [.rdv])).0.id
            }
            try await world.withLiveApp { app in
                let agent = APIClient(app: app, host: f.host, token: f.agent)
                let body = jsonText(["organisation_id": f.organisation.id.uuidString, "url": "http://127.0.0.1:9/autre", "models": ["rdv"]])
                // An organisation's administrator is no département administrator.
                for response in [
                    try await agent.get("/webhook_endpoints"), try await agent.get("/webhook_endpoints/\(endpointID)"),
                    try await agent.post("/webhook_endpoints", body), try await agent.post("/webhook_endpoints/\(endpointID)/resend_all", "{}"),
                    try await agent.get("/webhook_endpoints/\(endpointID)/deliveries"),
                    try await agent.send(.delete, "/api/v1/webhook_endpoints/\(endpointID)"),
                ] {
                    #expect(response.status == .forbidden && response.isProblem && response.object["code"] as? String == "forbidden", "\(response.text)")
                    #expect(!response.text.contains("127.0.0.1"))
                }
                // A read-only token of the administrator reads, and writes nothing.
                let reader = APIClient(app: app, host: f.host, token: f.adminReadOnly)
                #expect(try await reader.get("/webhook_endpoints").items.count == 1)
                let refused = try await reader.post("/webhook_endpoints", body)
                #expect(refused.status == .forbidden && refused.object["code"] as? String == "insufficient_scope")
                #expect(try await reader.post("/webhook_endpoints/\(endpointID)/rotate_secret", "{}").object["code"] as? String == "insufficient_scope")
                #expect(try await APIClient(app: app, host: f.host, token: f.admin).get("/webhook_endpoints").items.count == 1, "nothing was created")
            }
        }
    }

    @Test func refusedTargetsAndBadFieldsAreFrenchProblemsAndWriteNothing() async throws {
        try await TestWorld.run { world in
            let f = try await Fixture.make(world)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: f.host, token: f.admin)
                let organisation = f.organisation.id.uuidString
                func create(_ fields: [String: Any]) async throws -> TestClient.Response {
                    try await api.post("/webhook_endpoints", jsonText(["organisation_id": organisation, "url": "http://127.0.0.1:9/hook", "models": ["rdv"]].merging(fields) { $1 }))
                }
                for (url, code) in [
                    ("http://10.1.2.3/hook", "url_refused_address"), ("http://169.254.169.254/latest/meta-data", "url_refused_address"),
                    ("http://[::ffff:192.168.1.1]/hook", "url_refused_address"), ("ftp://exemple.fr/hook", "url_malformed"),
                    ("https://utilisateur:secret@exemple.fr/hook", "url_malformed"), ("https://hote-inconnu.invalid/hook", "url_unresolvable"),
                    ("pas une adresse", "url_malformed"),
                ] {
                    let refused = try await create(["url": url])
                    let errors = refused.object["errors"] as? [[String: Any]] ?? []
                    #expect(refused.status == .unprocessableContent && refused.isProblem && refused.object["code"] as? String == code, "\(url): \(refused.text)")
                    #expect(errors.first?["field"] as? String == "url" && (errors.first?["detail"] as? String)?.contains("du webhook") == true, "\(url)")
                }
                let noModel = try await create(["models": []])
                #expect(noModel.object["code"] as? String == "no_model" && (noModel.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "models")
                let unknownModel = try await create(["models": ["facture"]])
                #expect(unknownModel.status == .unprocessableContent && (unknownModel.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "models")
                let stranger = try await create(["organisation_id": UUID().uuidString])
                #expect(stranger.object["code"] as? String == "unknown_organisation")
                let long = try await create(["description": String(repeating: "é", count: 201)])
                #expect(long.object["code"] as? String == "description_too_long")
                let notBool = try await create(["enabled": "oui"])
                #expect(notBool.status == .unprocessableContent && (notBool.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "enabled")
                #expect(try await api.get("/webhook_endpoints").items.isEmpty, "nothing was created")

                // A change to a refused target leaves the endpoint as it was.
                let made = try await create(["description": "Premier"])
                let id = try #require(made.object["id"] as? String)
                let etag = try await api.get("/webhook_endpoints/\(id)").headers[.eTag]
                let refused = try await api.send(.patch, "/api/v1/webhook_endpoints/\(id)", json: jsonText(["url": "http://192.168.0.10/hook", "description": "Changé"]))
                #expect(refused.status == .unprocessableContent && refused.object["code"] as? String == "url_refused_address")
                #expect(try await api.get("/webhook_endpoints/\(id)").headers[.eTag] == etag)
                // A change checked against the version read: the current one passes, a stale one gets 412.
                let current = try #require(etag)
                let checked = try await api.send(.patch, "/api/v1/webhook_endpoints/\(id)", json: jsonText(["description": "Deuxième"]), headers: [.ifMatch: current])
                #expect(checked.status == .ok && checked.object["description"] as? String == "Deuxième")
                let stale = try await api.send(.patch, "/api/v1/webhook_endpoints/\(id)", json: jsonText(["description": "Troisième"]), headers: [.ifMatch: current])
                #expect(stale.status == .preconditionFailed && stale.object["code"] as? String == "stale_write")
                #expect((try await api.get("/webhook_endpoints/\(id)")).object["description"] as? String == "Deuxième")

                // An Idempotency-Key replay gives the same endpoint, never its secret again.
                let key: HTTPFields = [.init("Idempotency-Key")!: "webhook-1"]
                let body = jsonText(["organisation_id": organisation, "url": "http://127.0.0.1:9/rejoue", "models": ["rdv"]])
                let first = try await api.post("/webhook_endpoints", body, headers: key)
                let again = try await api.post("/webhook_endpoints", body, headers: key)
                #expect(first.status == .created && first.object["secret"] is String)
                #expect(again.status == .created && again.object["id"] as? String == first.object["id"] as? String && again.object["secret"] == nil)
                #expect(again.headers[.init("Idempotent-Replayed")!] == "true" && again.headers[.eTag] == first.headers[.eTag])
                let stored = try await world.database.tenant(f.tenant).transaction { connection in
                    try await connection.query("SELECT count(*)::int FROM api_idempotency WHERE convert_from(body, 'UTF8') LIKE '%whsec_%'").collect()[0].decode(Int.self)
                }
                #expect(stored == 0, "a secret is never kept in clear")
            }
        }
    }
}

/// `Tests/Webhooks/receiver.py` for one test: a real HTTP receiver that checks signatures
/// with the `standardwebhooks` package and answers as its path says (`/fail/N`: N times 500).
struct APIReceiver: Sendable {
    struct Received: Decodable {
        let path: String
        let status: Int
        let standard: [String]
        let legacy: [String]
    }

    let port: Int

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static func run<T>(_ body: (APIReceiver) async throws -> T) async throws -> T {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Webhooks/receiver.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        // The receiver leaves when this pipe closes, even if the test process dies first.
        process.standardInput = input
        try process.run()
        defer {
            process.terminate()
            try? input.fileHandleForWriting.close()
        }
        let line = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while let byte = try? output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        let port = try #require(Int(line), "receiver.py did not start: \(line)")
        return try await body(APIReceiver(port: port))
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String? = nil) async throws -> TestClient.Response {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .patient) { client in
            try await client.execute(.init(path, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) }))
        }
    }

    /// The secrets the receiver checks signatures against.
    func trust(_ secrets: [String]) async throws {
        #expect(try await send(.post, "/_secrets", body: jsonText(["secrets": secrets])).status == .noContent)
    }

    /// What the receiver got on `path`, in order.
    func received(path: String) async throws -> [Received] {
        let log = try await send(.get, "/_log")
        return try JSONDecoder().decode([Received].self, from: Data(log.text.utf8)).filter { $0.path == path }
    }
}
