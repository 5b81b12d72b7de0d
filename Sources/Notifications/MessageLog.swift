import Foundation
import PostgresNIO
import Tenancy

/// Messages as agents and administrators see them: what, to whom, in what state.
public struct MessageSummary: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let channel: MessageChannel
    public let kind: String
    public let recipient: String
    public let state: String
    public let due: Date
    public let sentAt: Date?
    public let lastError: String?
    public let attempts: Int
    public let rdvID: UUID?

    public var frenchKind: String {
        switch kind {
        case "confirmation": "Confirmation"
        case "change": "Changement"
        case "cancellation": "Annulation"
        case "reminder": "Rappel"
        case "code": "Code de confirmation"
        case "agent_notice": "Avis à l’agent"
        case "waiting_list_offer": "Proposition de créneau"
        case "confirmation_request": "Demande de confirmation"
        default: "Compte"
        }
    }

    public var frenchState: String {
        switch state {
        case "queued": attempts > 0 ? "nouvel essai prévu" : "programmé"
        case "sending": "en cours d’envoi"
        case "sent": "envoyé"
        case "delivered": "remis"
        case "failed": "échec signalé par le fournisseur"
        case "dead": "abandonné"
        default: "annulé"
        }
    }
}

/// A message as the development mailbox and the tests show it, whole.
public struct MailboxEntry: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let recipient: String
    public let subject: String
    public let body: String
    public let createdAt: Date
    public let channel: String
    public let state: String
}

/// Reading the messages table for pages, and giving a dead letter another chance.
public struct MessageLog: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    static let columns = "SELECT id, channel, kind, recipient, state, not_before, sent_at, last_error, attempts, rdv_id FROM messages"

    /// The latest messages, whole, newest first: for the development mailbox and the tests only
    /// (they hold codes and links).
    public func recent(limit: Int = 50) async throws -> [MailboxEntry] {
        let rows = try await connection.query(
            """
            SELECT id, recipient, subject, body, created_at, channel, state FROM messages
            WHERE state <> 'cancelled' AND channel <> 'webhook' ORDER BY created_at DESC, id LIMIT \(limit)
            """
        )
        var entries: [MailboxEntry] = []
        for try await (id, recipient, subject, body, at, channel, state) in rows.decode((UUID, String, String, String, Date, String, String).self) {
            entries.append(MailboxEntry(id: id, recipient: recipient, subject: subject, body: body, createdAt: at, channel: channel, state: state))
        }
        return entries
    }

    public func of(rdvID: UUID) async throws -> [MessageSummary] {
        try await summaries("\(unescaped: Self.columns) WHERE rdv_id = \(rdvID) AND state <> 'cancelled' ORDER BY not_before, channel")
    }

    /// Messages given up on or refused by a provider, latest first.
    public func deadLetters(limit: Int = 100) async throws -> [MessageSummary] {
        try await summaries("\(unescaped: Self.columns) WHERE state IN ('dead', 'failed') AND channel <> 'webhook' ORDER BY created_at DESC LIMIT \(limit)")
    }

    /// Queues a dead letter again, for a day; false when there is no such dead letter.
    public func retry(_ messageID: UUID) async throws -> Bool {
        for try await _ in try await connection.query(
            """
            UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = now(), not_before = least(not_before, now()),
                expires_at = greatest(expires_at, now() + interval '1 day'), last_error = NULL
            WHERE id = \(messageID) AND state IN ('dead', 'failed') RETURNING id
            """
        ) { return true }
        return false
    }

    /// SMS segments sent per month, for the consortium's statistics.
    public func smsSegmentsByMonth() async throws -> [(month: String, segments: Int)] {
        var months: [(month: String, segments: Int)] = []
        for try await row in try await connection.query(
            """
            SELECT to_char(date_trunc('month', sent_at), 'YYYY-MM'), coalesce(sum(segments), 0)::int FROM messages
            WHERE channel = 'sms' AND state IN ('sent', 'delivered') AND sent_at IS NOT NULL GROUP BY 1 ORDER BY 1 DESC LIMIT 24
            """
        ).decode((String, Int).self) { months.append(row) }
        return months
    }

    private func summaries(_ query: PostgresQuery) async throws -> [MessageSummary] {
        var found: [MessageSummary] = []
        for try await row in try await connection.query(query).decode((UUID, String, String, String, String, Date, Date?, String?, Int, UUID?).self) {
            found.append(MessageSummary(
                id: row.0, channel: MessageChannel(rawValue: row.1) ?? .email, kind: row.2, recipient: row.3, state: row.4, due: row.5,
                sentAt: row.6, lastError: row.7, attempts: row.8, rdvID: row.9
            ))
        }
        return found
    }
}
