import Agenda
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Consortium
import Notifications
import Synchronization
import Testing
import TestSupport
import Transports
import Webhooks
@testable import Tenancy
@testable import Web

/// `/metrics` on the admin listener, scraped over real HTTP after real requests, and the access
/// log beside it: labels are route patterns and département slugs, never a path, a query string
/// or anything a person typed.
@Suite struct MetricsTests {
    @Test func aScrapeCountsRequestsByRoutePatternStatusAndDepartement() async throws {
        try await TestWorld.run { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            let lines = LogLines()
            var logger = Logger(label: "rdv.tests.metrics") { _ in LogLines.Handler(lines: lines) }
            logger.logLevel = .info
            try await world.database.tenant(a).transaction { connection in
                // A queued confirmation due ten minutes ago, and a reminder for tomorrow.
                try await connection.query("""
                    INSERT INTO messages (channel, kind, recipient, body, next_attempt_at, not_before)
                    VALUES ('email', 'confirmation', 'jeanne.martin@exemple.fr', 'Bonjour Jeanne', now() - interval '10 minutes', now() - interval '10 minutes'),
                           ('sms', 'reminder', '+33612345678', 'Rappel', now() + interval '1 day', now() + interval '1 day')
                    """)
            }
            try await world.withLiveApp(logger: logger) { app in
                let hostA = "\(a.slug).rdv.test", hostB = "\(b.slug).rdv.test"
                #expect(try await app.get("/", host: hostA).status == .ok)
                #expect(try await app.get("/", host: hostA).status == .ok)
                // Personal data in a path and a query string: counted under the route's pattern only.
                _ = try await app.get("/prendre-rdv?commune=Arras&email=jeanne.martin%40exemple.fr", host: hostA)
                #expect(try await app.get("/usagers/jeanne.martin@exemple.fr/dossier", host: hostB).status == .notFound)
                // The public hosts have no /metrics.
                #expect(try await app.get("/metrics", host: hostA).status == .notFound)
                #expect(try await app.get("/metrics", host: "rdv.test").status == .notFound)
            }
            _ = try? await world.database.tenant(b).transaction { connection in
                try await SlotSearch(connection, tenant: b).slots(motifID: UUID(), now: Date())
            }
            let worker = NotificationWorker(
                database: world.database,
                configuration: DeliveryConfiguration(email: SandboxTransport(), smsTransport: SMSProviders.factory(), secret: TestWorld.secretKey, sandboxAllowed: true),
                logger: Logger(label: "rdv.tests.worker")
            )
            try await worker.deliverDue(in: a)
            // A second queued message, due, for the scrape's outbox gauges.
            try await world.database.tenant(a).transaction { connection in
                try await connection.query("""
                    INSERT INTO messages (channel, kind, recipient, body, next_attempt_at, not_before)
                    VALUES ('email', 'confirmation', 'paul.durand@exemple.fr', 'Bonjour Paul', now() - interval '15 minutes', now() - interval '15 minutes')
                    """)
            }

            let text = try await Self.scrape(world)
            let samples = try PrometheusText.parse(text)
            func value(_ name: String, _ labels: [String: String]) -> Double? {
                samples.first { $0.name == name && $0.labels == labels }?.value
            }
            let home = ["method": "GET", "route": "/", "status": "200", "site": "departement", "departement": a.slug]
            #expect(value("rdv_http_requests_total", home) == 2)
            let booking = samples.filter { $0.name == "rdv_http_requests_total" && $0.labels["departement"] == a.slug && $0.labels["route"] == "/prendre-rdv" }
            #expect(booking.map(\.value).reduce(0, +) == 1)
            // Unknown paths and /metrics on a public host: 404 under one pattern, per département.
            #expect(value("rdv_http_requests_total", ["method": "GET", "route": "NotFound", "status": "404", "site": "departement", "departement": b.slug]) == 1)
            #expect(value("rdv_http_requests_total", ["method": "GET", "route": "NotFound", "status": "404", "site": "departement", "departement": a.slug]) == 1)
            // The département label is the slug: b's requests are b's, and no schema or code is used.
            let departements = Set(samples.compactMap { $0.labels["departement"] }.filter { [a.slug, b.slug].contains($0) })
            #expect(departements == [a.slug, b.slug])
            #expect(!samples.contains { $0.labels["departement"] == a.schemaName || $0.labels["departement"] == b.schemaName })
            // Latency histogram of the route (every test's requests share it: at least ours).
            #expect((value("rdv_http_request_duration_seconds_count", ["method": "GET", "route": "/", "site": "departement"]) ?? 0) >= 2)
            #expect(samples.contains { $0.name == "rdv_http_request_duration_seconds_bucket" && $0.labels["le"] == "+Inf" })
            #expect(value("rdv_slot_search_duration_seconds_count", ["departement": b.slug, "kind": "search"]) == 1)
            #expect(value("rdv_deliveries_total", ["departement": a.slug, "channel": "email", "result": "sent"]) == 1)
            #expect((value("rdv_db_pool_wait_seconds_count", [:]) ?? 0) > 0)
            #expect(value("rdv_db_pool_connections_in_use", [:]) != nil)
            // The outbox as of the scrape: the reminder waits, Paul's confirmation is due since 15 minutes.
            #expect(value("rdv_outbox_messages", ["channel": "email"]) == 1)
            #expect(value("rdv_outbox_messages", ["channel": "sms"]) == 1)
            #expect(value("rdv_outbox_due_messages", ["channel": "sms"]) == 0)
            #expect((value("rdv_outbox_oldest_due_age_seconds", ["channel": "email"]) ?? 0) >= 15 * 60)
            #expect(value("rdv_outbox_oldest_due_age_seconds", ["channel": "sms"]) == 0)

            // No personal data, path or query string anywhere in the scrape or the access log.
            let log = lines.all.joined(separator: "\n")
            for secret in ["jeanne", "martin", "exemple.fr", "Arras", "33612345678", "Paul"] {
                #expect(!text.contains(secret), "\(secret) in /metrics")
                #expect(!log.contains(secret), "\(secret) in the access log")
            }
            // Other suites of this run share the registry: our own samples carry patterns only.
            let ours = samples.filter { [a.slug, b.slug].contains($0.labels["departement"] ?? "") }
            #expect(!ours.isEmpty)
            #expect(!ours.contains { ($0.labels["route"] ?? "").contains("?") || ($0.labels["route"] ?? "").contains("@") || ($0.labels["route"] ?? "").contains("commune") })
            #expect(!log.contains("commune") && !log.contains("/usagers/"))
            // One access-log line per request, with the route pattern, status, duration, request id, département.
            let access = lines.all.filter { $0.hasPrefix("request ") }
            #expect(access.count == 6)
            #expect(access.contains { $0.contains("route=/") && $0.contains("status=200") && $0.contains("tenant=\(a.slug)") && $0.contains("request_id=") && $0.contains("duration_ms=") })
            #expect(access.contains { $0.contains("route=NotFound") && $0.contains("status=404") && $0.contains("tenant=\(b.slug)") })
        }
    }

    @Test func webhookAttemptsAndStatisticsRefreshesAreMeasured() async throws {
        Observability.bootstrap()
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let admin = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
            var logger = Logger(label: "rdv.tests.metrics.webhooks")
            logger.logLevel = .critical
            let policy = WebhookTargetPolicy(requiresHTTPS: false, allowedKinds: [.loopback])
            // An endpoint nobody listens on (port 9 refuses the connection), and a lieu's event for it.
            try await world.database.tenant(tenant).transaction { connection in
                _ = try await WebhookEndpoints(connection, actor: admin.actor, platformSecret: TestWorld.secretKey, policy: policy)
                    .create(WebhookEndpointDraft(organisationID: organisation.id, url: "http://127.0.0.1:9/suivi", description: "", models: [.lieu]))
                _ = try await AgendaCatalog(connection).ensureLieu(organisationID: organisation.id, name: "Maison des solidarités", address: "1 rue de la Paix, Arras")
            }
            let worker = WebhookWorker(
                database: world.database,
                configuration: WebhookConfiguration(transport: WebhookHTTPTransport(), policy: policy, platformSecret: TestWorld.secretKey),
                logger: logger
            )
            #expect(try await worker.deliverDue(in: tenant, now: Date()) == 1)
            let before = try PrometheusText.parse(try await Self.scrape(world))
            func count(_ samples: [PrometheusText.Sample], _ name: String, _ labels: [String: String]) -> Double {
                samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
            }
            #expect(count(before, "rdv_deliveries_total", ["departement": tenant.slug, "channel": "webhook", "result": "unreachable"]) == 1)
            #expect(count(before, "rdv_deliveries_total", ["departement": tenant.slug, "channel": "webhook", "result": "sent"]) == 0)

            // One refresh of every département, timed; other suites may refresh too: at least ours.
            let service = StatisticsRefreshService(refresher: StatisticsRefresher(database: world.database, overlap: 0, logger: logger), logger: logger)
            await service.refreshOnce()
            let after = try PrometheusText.parse(try await Self.scrape(world))
            let refreshes = ["result": "ok"]
            #expect(count(after, "rdv_statistics_refresh_duration_seconds_count", refreshes) >= count(before, "rdv_statistics_refresh_duration_seconds_count", refreshes) + 1)
            // Its own buckets, up to five minutes: seven and +Inf.
            #expect(after.filter { $0.name == "rdv_statistics_refresh_duration_seconds_bucket" && $0.labels["result"] == "ok" }.count == 8)
        }
    }

    @Test func theDashboardQueriesOnlyMetricsThePlatformExports() async throws {
        let url = TestWorld.repositoryRoot.appendingPathComponent("deploy/grafana-dashboard.json")
        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let panels = try #require(dashboard?["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 10)
        let used = Set(expressions.flatMap { $0.matches(of: /rdv_[a-z_]+/).map { String($0.output) } })
            .map { $0.replacing(/_(bucket|count|sum)$/, with: "") }
        let sources = try ["Web/Observability/ObservedResponder.swift", "Web/Application+build.swift", "Tenancy/DatabasePool+Metrics.swift",
                           "Notifications/NotificationWorker.swift", "Agenda/SlotSearch.swift",
                           "Consortium/Statistics/StatisticsRefreshService.swift"]
            .map { try String(contentsOf: TestWorld.repositoryRoot.appendingPathComponent("Sources/" + $0), encoding: .utf8) }.joined()
        for name in used {
            #expect(sources.contains("\"\(name)\""), "\(name) is in the dashboard but no code exports it")
        }
    }

    /// Starts the admin listener on a free port of its own and reads `/metrics` from it.
    static func scrape(_ world: TestWorld) async throws -> String {
        var logger = Logger(label: "rdv.tests.metrics.admin")
        logger.logLevel = .warning
        let admin = buildMetricsApplication(database: world.database, host: "127.0.0.1", port: 0, logger: logger)
        return try await admin.test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            // Nothing else is served there.
            #expect(try await client.execute(uri: "/", method: .get).status == .notFound)
            return String(buffer: response.body)
        }
    }
}

/// Log lines as `message key=value …`, kept in memory.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = ([event.message.description] + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
            lines.lines.withLock { $0.append(text) }
        }
    }
}

/// A reader of Prometheus' text exposition format (version 0.0.4), strict enough to fail on a
/// line that a Prometheus server would refuse.
enum PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: String
        var description: String { "malformed exposition line: \(line)" }
    }

    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") { continue }
            guard !line.hasPrefix("#") else { throw Malformed(line: String(line)) }
            guard let match = line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([^ ]+)/),
                  let value = Double(match.output.3) ?? (match.output.3 == "+Inf" ? .infinity : nil) else {
                throw Malformed(line: String(line))
            }
            samples.append(Sample(name: String(match.output.1), labels: try labels(match.output.2.map(String.init) ?? "", line: String(line)), value: value))
        }
        return samples
    }

    /// `key="value",…` with `\\`, `\"` and `\n` escapes.
    static func labels(_ text: String, line: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].first == "\"" else { throw Malformed(line: line) }
            let key = String(rest[..<equals])
            guard key.wholeMatch(of: /[a-zA-Z_][a-zA-Z0-9_]*/) != nil else { throw Malformed(line: line) }
            var value = ""
            var index = rest.index(equals, offsetBy: 2)
            var closed = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\\" {
                    index = rest.index(after: index)
                    guard index < rest.endIndex else { throw Malformed(line: line) }
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    value.append(character)
                }
                index = rest.index(after: index)
            }
            guard closed else { throw Malformed(line: line) }
            labels[key] = value
            rest = rest[rest.index(after: index)...]
            if rest.first == "," { rest = rest.dropFirst() } else if !rest.isEmpty { throw Malformed(line: line) }
        }
        return labels
    }
}
