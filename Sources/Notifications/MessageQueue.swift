import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// A message as a transport delivers it.
public struct OutgoingMessage: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let channel: MessageChannel
    public let kind: String
    public let recipient: String
    public let subject: String
    public let body: String
    public let calendar: String?
    public let calendarMethod: String?
    public let idempotencyKey: String
    /// Attempts so far, this one included.
    public let attempts: Int
    /// The département's name as the sender shows it (set by the worker).
    public var senderName: String = ""

    public init(
        id: UUID, channel: MessageChannel, kind: String, recipient: String, subject: String, body: String, calendar: String?,
        calendarMethod: String?, idempotencyKey: String, attempts: Int
    ) {
        self.id = id
        self.channel = channel
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.calendar = calendar
        self.calendarMethod = calendarMethod
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
    }
}

/// What a delivery attempt came to.
public enum DeliveryOutcome: Sendable, Hashable {
    case sent(providerReference: String?)
    /// Worth trying again later (the server is down, busy, slow…).
    case temporaryFailure(String)
    /// Trying again would fail the same way (refused address, bad request…).
    case permanentFailure(String)
    /// The provider itself is down, overloaded or too slow to answer: this message is retried
    /// like a temporary failure, and the worker stops sending on this channel for a while
    /// instead of making every other message wait for the same timeout.
    case unavailable(String)

    /// The result as a metrics label: `sent`, `temporary_failure`, `permanent_failure` or `unavailable`.
    public var metricLabel: String {
        switch self {
        case .sent: "sent"
        case .temporaryFailure: "temporary_failure"
        case .permanentFailure: "permanent_failure"
        case .unavailable: "unavailable"
        }
    }

    /// Whether the message may come again later (true for temporary failures and unavailable providers).
    var isRetryable: Bool {
        switch self {
        case .temporaryFailure, .unavailable: true
        case .sent, .permanentFailure: false
        }
    }
}

/// The messages table as a queue: claim due messages without blocking other workers, record
/// each attempt, retry with exponential backoff and jitter, give up after a number of attempts
/// or past the message's age limit (the dead letters administrators see).
public struct MessageQueue: Sendable {
    public static let maximumAttempts = 8
    /// How long a claimed message stays reserved; a worker that died mid-delivery leaves it to
    /// others after that, at the cost of at most one duplicate.
    public static let lease: TimeInterval = 120
    /// How long a channel rests after its provider was found unavailable.
    public static let pause: TimeInterval = 30

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Writes a message to send, in the caller's transaction.
    /// - Parameter calendar: an invitation (`.ics`) with its method, `REQUEST` or `CANCEL`.
    public func enqueue(
        _ channel: MessageChannel, kind: String, to recipient: String, subject: String, body: String,
        calendar: (ics: String, method: String)? = nil, rdvID: UUID? = nil, notBefore: Date? = nil, expires: Date
    ) async throws {
        let segments = channel == .sms ? SMSText.count(body).segments : nil
        try await connection.query(
            """
            INSERT INTO messages (channel, kind, recipient, subject, body, calendar, calendar_method, rdv_id, not_before, next_attempt_at, expires_at, segments)
            VALUES (\(channel.rawValue), \(kind), \(recipient), \(subject), \(body), \(calendar?.ics), \(calendar?.method), \(rdvID),
                    coalesce(\(notBefore), now()), coalesce(\(notBefore), now()), \(expires), \(segments))
            """
        )
    }

    /// An email about an account or a request (invitation, password reset, booking code),
    /// due at once; it expires with `expires`, or after two days.
    public func enqueueEmail(to recipient: String, subject: String, body: String, kind: String = "account", expires: Date? = nil) async throws {
        try await enqueue(.email, kind: kind, to: recipient, subject: subject, body: body, expires: expires ?? Date().addingTimeInterval(2 * 86_400))
    }

    /// Housekeeping before claiming: leases run out, messages too old die.
    public func recover(now: Date) async throws {
        try await connection.query(
            "UPDATE messages SET state = 'queued', locked_until = NULL WHERE state = 'sending' AND locked_until < \(now)"
        )
        let expired = try await connection.query(
            """
            UPDATE messages SET state = 'dead', last_error = 'trop ancien' WHERE state = 'queued' AND expires_at < \(now) RETURNING id
            """
        )
        for try await id in expired.decode(UUID.self) {
            try await connection.query("INSERT INTO message_attempts (message_id, outcome, attempted_at) VALUES (\(id), 'expired', \(now))")
        }
    }

    /// Reserves up to `limit` due emails and SMS, skipping those another worker holds (webhooks
    /// have their own worker, which keeps each resource's events in order).
    public func claim(now: Date, limit: Int) async throws -> [OutgoingMessage] {
        var claimed: [OutgoingMessage] = []
        for try await (id, channel, kind, recipient, subject, body, calendar, method, key, attempts) in try await connection.query(
            """
            UPDATE messages m SET state = 'sending', attempts = m.attempts + 1, locked_until = \(now.addingTimeInterval(Self.lease))
            FROM (
                SELECT id FROM messages WHERE state = 'queued' AND next_attempt_at <= \(now) AND not_before <= \(now) AND channel <> 'webhook'
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ) due
            WHERE m.id = due.id
            RETURNING m.id, m.channel, m.kind, m.recipient, m.subject, m.body, m.calendar, m.calendar_method, m.idempotency_key, m.attempts
            """
        ).decode((UUID, String, String, String, String, String, String?, String?, String, Int).self) {
            claimed.append(OutgoingMessage(
                id: id, channel: MessageChannel(rawValue: channel) ?? .email, kind: kind, recipient: recipient, subject: subject, body: body,
                calendar: calendar, calendarMethod: method, idempotencyKey: key, attempts: attempts
            ))
        }
        return claimed
    }

    /// Messages already gone today (local day) to one recipient on one channel.
    public func sentToday(to recipient: String, channel: MessageChannel, now: Date, clock: WallClock) async throws -> Int {
        let midnight = clock.instant(clock.localDate(of: now), LocalTime(minutes: 0)!)
        for try await count in try await connection.query(
            """
            SELECT count(*)::int FROM messages
            WHERE recipient = \(recipient) AND channel = \(channel.rawValue) AND state IN ('sent', 'delivered') AND sent_at >= \(midnight)
            """
        ).decode(Int.self) { return count }
        return 0
    }

    /// Records an attempt and sets what comes next: done, another try later, or the dead letters.
    public func record(_ message: OutgoingMessage, _ outcome: DeliveryOutcome, now: Date, segments: Int? = nil) async throws {
        switch outcome {
        case .sent(let reference):
            try await connection.query(
                """
                UPDATE messages SET state = 'sent', sent_at = \(now), locked_until = NULL, provider_reference = \(reference),
                    segments = coalesce(\(segments), segments), last_error = NULL
                WHERE id = \(message.id)
                """
            )
            try await attempt(message.id, "sent", "", now)
        case .temporaryFailure(let reason) where message.attempts < Self.maximumAttempts,
             .unavailable(let reason) where message.attempts < Self.maximumAttempts:
            let retry = now.addingTimeInterval(Self.backoff(afterAttempt: message.attempts))
            try await connection.query(
                """
                UPDATE messages SET state = CASE WHEN expires_at < \(retry) THEN 'dead' ELSE 'queued' END,
                    next_attempt_at = \(retry), locked_until = NULL, last_error = \(reason)
                WHERE id = \(message.id)
                """
            )
            try await attempt(message.id, "temporary_failure", reason, now)
        case .temporaryFailure(let reason), .permanentFailure(let reason), .unavailable(let reason):
            try await connection.query("UPDATE messages SET state = 'dead', locked_until = NULL, last_error = \(reason) WHERE id = \(message.id)")
            try await attempt(message.id, outcome.isRetryable ? "temporary_failure" : "permanent_failure", reason, now)
        }
    }

    /// Gives claimed messages back untried (their channel is paused): the claim's attempt is
    /// undone and they wait until `until`.
    public func putBack(_ ids: [UUID], until: Date) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            UPDATE messages SET state = 'queued', locked_until = NULL, attempts = attempts - 1, next_attempt_at = \(until)
            WHERE id = ANY(\(ids)) AND state = 'sending'
            """
        )
    }

    /// Keeps claimed messages reserved while a slow batch is still on them.
    public func extendLease(of ids: [UUID], now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            "UPDATE messages SET locked_until = \(now.addingTimeInterval(Self.lease)) WHERE id = ANY(\(ids)) AND state = 'sending'"
        )
    }

    /// What the worker does with a claimed message right before sending it.
    public enum Verdict: Sendable, Hashable {
        case send
        /// Its age limit passed while it was held (a reminder whose appointment has begun): dead.
        case expired
        /// Cancelled while it was held (its appointment moved or cancelled): not sent.
        case withdrawn
        /// A daily cap was reached: dead.
        case capped
    }

    /// Whether a message this worker holds should still leave at `now`; one past its age limit
    /// is given up here, as `recover` does for those still queued.
    public func stillDue(_ message: OutgoingMessage, now: Date) async throws -> Verdict {
        for try await (state, expires) in try await connection.query("SELECT state, expires_at FROM messages WHERE id = \(message.id) FOR UPDATE")
            .decode((String, Date).self) {
            guard state == "sending" else { return .withdrawn }
            guard expires <= now else { return .send }
            try await connection.query("UPDATE messages SET state = 'dead', locked_until = NULL, last_error = 'trop ancien' WHERE id = \(message.id)")
            try await attempt(message.id, "expired", "", now)
            return .expired
        }
        return .withdrawn
    }

    /// A daily cap was reached: the message dies unsent, and administrators see why.
    public func cap(_ message: OutgoingMessage, now: Date) async throws {
        try await connection.query(
            "UPDATE messages SET state = 'dead', locked_until = NULL, last_error = 'plafond journalier atteint' WHERE id = \(message.id)"
        )
        try await attempt(message.id, "capped", "", now)
    }

    /// 30 s, 1 min, 2 min… up to an hour, give or take a fifth so that retries do not come in waves.
    public static func backoff(afterAttempt attempt: Int, jitter: Double = Double.random(in: 0.8...1.2)) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1)))) * jitter
    }

    func attempt(_ id: UUID, _ outcome: String, _ detail: String, _ now: Date) async throws {
        try await connection.query(
            "INSERT INTO message_attempts (message_id, outcome, detail, attempted_at) VALUES (\(id), \(outcome), \(detail), \(now))"
        )
    }
}
