import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
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
///
/// A provider found unavailable (down, overloaded, too slow to answer) pauses its channel in
/// that département for `MessageQueue.pause`: the batch's other messages on that channel go back
/// to the queue untried, instead of each waiting for the same timeout while the lease runs out,
/// and the other channel goes on. A long batch renews the lease of what it still holds.
public struct NotificationWorker: Service {
    let database: Database
    let configuration: DeliveryConfiguration
    let interval: Duration
    let batchSize: Int
    let logger: Logger
    let clock: @Sendable () -> Date
    let pauses = ChannelPauses()

    public init(
        database: Database, configuration: DeliveryConfiguration, interval: Duration = .seconds(2), batchSize: Int = 50, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.configuration = configuration
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
        self.clock = clock
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
    ///
    /// - Parameter now: a fixed instant for the whole round (tests); by default the worker's
    ///   clock is read at each step, so leases and sending times follow a slow round.
    @discardableResult
    public func deliverRound(now: Date? = nil) async -> Int {
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

    /// Delivers what is due in one département, batch after batch; returns the attempts made.
    @discardableResult
    public func deliverDue(in tenant: Tenant, now: Date? = nil) async throws -> Int {
        var attempts = 0
        while true {
            let batch = try await deliverBatch(in: tenant, fixed: now)
            attempts += batch.attempted
            if batch.claimed < batchSize { return attempts }
        }
    }

    func deliverBatch(in tenant: Tenant, fixed: Date?) async throws -> (claimed: Int, attempted: Int) {
        let claimedAt = fixed ?? clock()
        let (claimed, settings, sealedKey) = try await database.tenant(tenant).transaction { connection in
            let queue = MessageQueue(connection)
            try await queue.recover(now: claimedAt)
            var key: Data?
            for try await sealed in try await connection.query("SELECT sms_api_key_sealed FROM notification_settings").decode(Data?.self) { key = sealed }
            return (try await queue.claim(now: claimedAt, limit: batchSize), try await NotificationSettings.load(connection), key)
        }
        guard !claimed.isEmpty else { return (0, 0) }
        let sms = smsTransport(settings, sealedKey: sealedKey)
        let clock = tenant.clock
        var held = Set(claimed.map(\.id))
        var leaseRenewedAt = claimedAt
        var attempted = 0
        for (index, claimedMessage) in claimed.enumerated() where held.contains(claimedMessage.id) {
            var now = fixed ?? self.clock()
            if let until = pauses.until(tenant: tenant.slug, channel: claimedMessage.channel, now: now) {
                let rest = claimed[index...].filter { $0.channel == claimedMessage.channel && held.contains($0.id) }.map(\.id)
                try await database.tenant(tenant).transaction { try await MessageQueue($0).putBack(rest, until: until) }
                held.subtract(rest)
                Counter(label: "rdv_deliveries_total", dimensions: [("departement", tenant.slug), ("channel", claimedMessage.channel.rawValue), ("result", "deferred")])
                    .increment(by: Int64(rest.count))
                logger.notice("provider unavailable, messages put back", metadata: [
                    "tenant": "\(tenant.slug)", "channel": "\(claimedMessage.channel.rawValue)", "count": "\(rest.count)",
                ])
                continue
            }
            if now.timeIntervalSince(leaseRenewedAt) > MessageQueue.lease / 3 {
                let stillHeld = Array(held), renewedAt = now
                try await database.tenant(tenant).transaction { try await MessageQueue($0).extendLease(of: stillHeld, now: renewedAt) }
                leaseRenewedAt = now
            }
            var named = claimedMessage
            named.senderName = settings.senderName.isEmpty ? tenant.name : settings.senderName
            let message = named
            let checkedAt = now
            let verdict = try await database.tenant(tenant).transaction { connection -> MessageQueue.Verdict in
                let queue = MessageQueue(connection)
                // Looked at again right before it leaves: its appointment may have been moved or
                // cancelled, or may have begun, while the batch was on the messages before it.
                let verdict = try await queue.stillDue(message, now: checkedAt)
                guard verdict == .send,
                      ["confirmation", "change", "cancellation", "reminder", "code", "waiting_list_offer"].contains(message.kind) else { return verdict }
                let cap = message.channel == .sms ? settings.smsDailyCap : settings.emailDailyCap
                guard try await queue.sentToday(to: message.recipient, channel: message.channel, now: checkedAt, clock: clock) >= cap
                else { return .send }
                try await queue.cap(message, now: checkedAt)
                return .capped
            }
            held.remove(message.id)
            attempted += 1
            switch verdict {
            case .send: break
            case .capped:
                Self.countDelivery(tenant: tenant, channel: message.channel.rawValue, result: "capped")
                logger.warning("daily cap reached, message not sent", metadata: ["tenant": "\(tenant.slug)", "message": "\(message.id)", "channel": "\(message.channel.rawValue)"])
                continue
            case .expired, .withdrawn:
                Self.countDelivery(tenant: tenant, channel: message.channel.rawValue, result: verdict == .expired ? "expired" : "withdrawn")
                logger.notice("message no longer due, not sent", metadata: [
                    "tenant": "\(tenant.slug)", "message": "\(message.id)", "reason": "\(verdict == .expired ? "expired" : "withdrawn")",
                ])
                continue
            }
            let outcome = await (message.channel == .sms ? sms : configuration.email).deliver(message)
            now = fixed ?? self.clock()
            let recordedAt = now
            let segments = message.channel == .sms ? SMSText.count(message.body).segments : nil
            try await database.tenant(tenant).transaction { try await MessageQueue($0).record(message, outcome, now: recordedAt, segments: segments) }
            Self.countDelivery(tenant: tenant, channel: message.channel.rawValue, result: outcome.metricLabel)
            if case .sent = outcome {} else {
                logger.notice("delivery failed", metadata: ["tenant": "\(tenant.slug)", "message": "\(message.id)", "attempt": "\(message.attempts)"])
            }
            if case .unavailable = outcome {
                pauses.pause(tenant: tenant.slug, channel: message.channel, until: now.addingTimeInterval(MessageQueue.pause))
            }
        }
        return (claimed.count, attempted)
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

/// The channels a worker rests, by département, after their provider was found unavailable.
final class ChannelPauses: Sendable {
    private let pausedUntil = Mutex<[String: Date]>([:])

    func pause(tenant: String, channel: MessageChannel, until: Date) {
        pausedUntil.withLock { $0[tenant + "/" + channel.rawValue] = until }
    }

    /// When the channel resumes, if it is paused at `now`.
    func until(tenant: String, channel: MessageChannel, now: Date) -> Date? {
        pausedUntil.withLock { paused in
            let key = tenant + "/" + channel.rawValue
            guard let until = paused[key] else { return nil }
            if until > now { return until }
            paused[key] = nil
            return nil
        }
    }
}
