import Foundation
import Logging
import Notifications
import ServiceLifecycle
import Tenancy

/// What the webhook worker needs from the executable.
public struct WebhookConfiguration: Sendable {
    public var transport: any WebhookTransport
    public var policy: WebhookTargetPolicy
    /// Opens the endpoints' sealed secrets.
    public var platformSecret: Data

    public init(transport: any WebhookTransport, policy: WebhookTargetPolicy, platformSecret: Data) {
        self.transport = transport
        self.policy = policy
        self.platformSecret = platformSecret
    }
}

/// Delivers the webhook events of every served département: claims due events (in order per
/// resource), renders and signs them, checks the target again (a name may have moved onto a
/// private address since it was saved), posts, records. Runs inside `rdv serve` and `rdv worker`.
public struct WebhookWorker: Service {
    let database: Database
    let configuration: WebhookConfiguration
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    public init(database: Database, configuration: WebhookConfiguration, interval: Duration = .seconds(2), batchSize: Int = 50, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await deliverRound()
            }
        }
    }

    /// One round over the served départements; returns the attempts made.
    @discardableResult
    public func deliverRound(now: Date = Date()) async -> Int {
        var attempts = 0
        do {
            for tenant in try await database.registeredTenants() where tenant.status.isServed {
                do {
                    attempts += try await deliverDue(in: tenant, now: now)
                } catch {
                    logger.error("webhook round failed", metadata: ["tenant": "\(tenant.slug)", "error": "\(String(reflecting: type(of: error)))"])
                }
            }
        } catch {
            logger.warning("could not list départements", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
        return attempts
    }

    /// Delivers what is due in one département at `now`, round after round until nothing is
    /// due (each round frees the next event of each resource); returns the attempts made.
    @discardableResult
    public func deliverDue(in tenant: Tenant, now: Date = Date()) async throws -> Int {
        var attempts = 0
        while true {
            let done = try await deliverBatch(in: tenant, now: now)
            attempts += done
            if done == 0 { return attempts }
        }
    }

    struct Prepared: Sendable {
        let delivery: WebhookDelivery
        let body: String
        let url: String
        let sealed: [Data]
    }

    func deliverBatch(in tenant: Tenant, now: Date) async throws -> Int {
        let (prepared, dropped) = try await database.tenant(tenant).transaction { connection -> ([Prepared], Int) in
            // Leases run out and events past their three days die (the notification worker does the
            // same; either may run alone).
            try await MessageQueue(connection).recover(now: now)
            let queue = WebhookQueue(connection)
            var ready: [Prepared] = []
            var dropped = 0
            for delivery in try await queue.claim(now: now, limit: batchSize) {
                guard let target = try await WebhookEndpointRepository(connection).signing(delivery.endpointID, now: now), target.enabled else {
                    try await queue.drop(delivery, reason: "webhook désactivé")
                    dropped += 1
                    continue
                }
                var body = delivery.body
                if body.isEmpty {
                    body = try await WebhookPayload.body(of: delivery, connection: connection, timeZone: TimeZone(identifier: tenant.timeZone) ?? .current)
                    try await queue.store(body: body, of: delivery.id)
                }
                ready.append(Prepared(delivery: delivery, body: body, url: target.url, sealed: target.sealed))
            }
            return (ready, dropped)
        }
        let box = WebhookSecretBox(platformSecret: configuration.platformSecret)
        var gone: Set<UUID> = []
        for item in prepared {
            // An endpoint that answered 410 earlier in this batch receives nothing more.
            if gone.contains(item.delivery.endpointID) {
                try await database.tenant(tenant).transaction { try await WebhookQueue($0).drop(item.delivery, reason: "webhook désactivé") }
                continue
            }
            let response = await send(item, box: box, now: now)
            if response.statusCode == 410 { gone.insert(item.delivery.endpointID) }
            try await database.tenant(tenant).transaction { try await WebhookQueue($0).record(item.delivery, response, now: now) }
            NotificationWorker.countDelivery(tenant: tenant, channel: "webhook", result: Self.metricLabel(response))
            if response.statusCode.map({ (200..<300).contains($0) }) != true {
                logger.notice("webhook delivery failed", metadata: [
                    "tenant": "\(tenant.slug)", "message": "\(item.delivery.id)", "endpoint": "\(item.delivery.endpointID)",
                    "attempt": "\(item.delivery.attempts)", "status": "\(response.statusCode.map(String.init) ?? "-")",
                ])
            }
        }
        return prepared.count + dropped
    }

    /// The result of an attempt as `rdv_deliveries_total` counts it: `sent` (2xx), `gone` (410:
    /// the endpoint is switched off), `refused` (another answer), `unreachable` (no answer).
    static func metricLabel(_ response: WebhookResponse) -> String {
        switch response.statusCode {
        case .some(200..<300): "sent"
        case .some(410): "gone"
        case .some: "refused"
        case .none: "unreachable"
        }
    }

    func send(_ item: Prepared, box: WebhookSecretBox, now: Date) async -> WebhookResponse {
        if let refusal = await configuration.policy.check(item.url) {
            return WebhookResponse(statusCode: nil, duration: 0, error: refusal.french)
        }
        let secrets = item.sealed.compactMap(box.open)
        guard !secrets.isEmpty else { return WebhookResponse(statusCode: nil, duration: 0, error: "secret illisible : faites-le tourner") }
        let body = Data(item.body.utf8)
        var headers = ["Content-Type": "application/json", "User-Agent": "rdv-webhooks/1"]
        // The signature's time is the wall clock's, whatever `now` the schedule runs on: receivers
        // compare it with theirs.
        for (name, value) in WebhookSigner.headers(id: item.delivery.id.uuidString.lowercased(), timestamp: Date(), body: body, secrets: secrets) {
            headers[name] = value
        }
        return await configuration.transport.post(WebhookRequest(url: item.url, headers: headers, body: body))
    }
}
