import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Tenancy

/// Makes a département's SMS transport from its settings and its unsealed API key; nil for a
/// provider it does not reach. The executable passes the HTTP ones (module Transports), which
/// keeps AsyncHTTPClient and NIOSSL out of the features' own dependencies.
public typealias SMSTransportFactory = @Sendable (_ settings: NotificationSettings, _ apiKey: String) -> (any MessageTransport)?

/// How messages leave the platform: the email transport (SMTP, or the sandbox in development)
/// and what the SMS transports of each département need.
public struct DeliveryConfiguration: Sendable {
    public var email: any MessageTransport
    /// The transport of a département whose SMS provider is not the sandbox.
    public var smsTransport: SMSTransportFactory
    /// Opens the départements' sealed SMS credentials.
    public var secret: Data
    /// Development: messages of a département without an SMS provider go to the sandbox.
    public var sandboxAllowed: Bool

    public init(email: any MessageTransport, smsTransport: @escaping SMSTransportFactory, secret: Data, sandboxAllowed: Bool) {
        self.email = email
        self.smsTransport = smsTransport
        self.secret = secret
        self.sandboxAllowed = sandboxAllowed
    }
}

/// A transport for when none is configured: messages wait, are retried, then show as dead letters.
public struct MissingTransport: MessageTransport {
    let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome { .temporaryFailure(reason) }
}

/// Delivers the messages of every active département: claims due ones (several workers may run,
/// each skips what another holds), respects the daily caps, sends, records. Runs inside
/// `rdv serve` and alone as `rdv worker`.
public struct NotificationWorker: Service {
    let database: Database
    let configuration: DeliveryConfiguration
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    public init(database: Database, configuration: DeliveryConfiguration, interval: Duration = .seconds(2), batchSize: Int = 50, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Waiting first lets the database pools start (they run as sibling services).
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await deliverRound()
            }
        }
    }

    /// One round over the départements that are served: a suspended one's messages wait (and
    /// those that expire meanwhile, like a reminder whose appointment has passed, are dropped
    /// when it resumes, never sent late). Returns the attempts made.
    @discardableResult
    public func deliverRound(now: Date = Date()) async -> Int {
        var attempts = 0
        do {
            for tenant in try await database.registeredTenants() where tenant.status.isServed {
                do {
                    attempts += try await deliverDue(in: tenant, now: now)
                } catch {
                    logger.error("delivery round failed", metadata: ["tenant": "\(tenant.slug)", "error": "\(String(reflecting: type(of: error)))"])
                }
            }
        } catch {
            logger.warning("could not list départements", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
        return attempts
    }

    /// Delivers what is due in one département at `now`, batch after batch; returns the attempts made.
    @discardableResult
    public func deliverDue(in tenant: Tenant, now: Date = Date()) async throws -> Int {
        var attempts = 0
        while true {
            let done = try await deliverBatch(in: tenant, now: now)
            attempts += done
            if done < batchSize { return attempts }
        }
    }

    func deliverBatch(in tenant: Tenant, now: Date) async throws -> Int {
        let (claimed, settings, sealedKey) = try await database.tenant(tenant).transaction { connection in
            let queue = MessageQueue(connection)
            try await queue.recover(now: now)
            var key: Data?
            for try await sealed in try await connection.query("SELECT sms_api_key_sealed FROM notification_settings").decode(Data?.self) { key = sealed }
            return (try await queue.claim(now: now, limit: batchSize), try await NotificationSettings.load(connection), key)
        }
        guard !claimed.isEmpty else { return 0 }
        let sms = smsTransport(settings, sealedKey: sealedKey)
        let clock = tenant.clock
        for claimedMessage in claimed {
            var named = claimedMessage
            named.senderName = settings.senderName.isEmpty ? tenant.name : settings.senderName
            let message = named
            let capped = try await database.tenant(tenant).transaction { connection -> Bool in
                guard ["confirmation", "change", "cancellation", "reminder", "code", "waiting_list_offer"].contains(message.kind) else { return false }
                let cap = message.channel == .sms ? settings.smsDailyCap : settings.emailDailyCap
                guard try await MessageQueue(connection).sentToday(to: message.recipient, channel: message.channel, now: now, clock: clock) >= cap else { return false }
                try await MessageQueue(connection).cap(message, now: now)
                return true
            }
            if capped {
                Self.countDelivery(tenant: tenant, channel: message.channel.rawValue, result: "capped")
                logger.warning("daily cap reached, message not sent", metadata: ["tenant": "\(tenant.slug)", "message": "\(message.id)", "channel": "\(message.channel.rawValue)"])
                continue
            }
            let outcome = await (message.channel == .sms ? sms : configuration.email).deliver(message)
            let segments = message.channel == .sms ? SMSText.count(message.body).segments : nil
            try await database.tenant(tenant).transaction { try await MessageQueue($0).record(message, outcome, now: now, segments: segments) }
            Self.countDelivery(tenant: tenant, channel: message.channel.rawValue, result: outcome.metricLabel)
            if case .sent = outcome {} else {
                logger.notice("delivery failed", metadata: ["tenant": "\(tenant.slug)", "message": "\(message.id)", "attempt": "\(message.attempts)"])
            }
        }
        return claimed.count
    }

    /// `rdv_deliveries_total`: attempts by département, channel (email, sms, webhook) and result.
    public static func countDelivery(tenant: Tenant, channel: String, result: String) {
        Counter(label: "rdv_deliveries_total", dimensions: [("departement", tenant.slug), ("channel", channel), ("result", result)]).increment()
    }

    func smsTransport(_ settings: NotificationSettings, sealedKey: Data?) -> any MessageTransport {
        guard settings.smsProvider != "sandbox" else {
            return configuration.sandboxAllowed ? SandboxTransport() : MissingTransport(reason: "aucun fournisseur SMS configuré")
        }
        guard let sealedKey, let key = CredentialBox(secret: configuration.secret).open(sealedKey), !settings.smsEndpoint.isEmpty else {
            return MissingTransport(reason: "fournisseur SMS incomplet")
        }
        return configuration.smsTransport(settings, key) ?? MissingTransport(reason: "fournisseur SMS inconnu")
    }
}
