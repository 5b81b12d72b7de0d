import Foundation
import PostgresNIO
import Tenancy

/// Messages to send, written in the transaction that caused them (table `messages`); the
/// notifications worker delivers them. Development shows them all in a mailbox page.
public struct Outbox: Sendable {
    public struct Email: Sendable, Hashable {
        public let id: UUID
        public let recipient: String
        public let subject: String
        public let body: String
        public let createdAt: Date
        public var channel: String = "email"
        public var state: String = "queued"
    }

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// An email about the account (invitation, reset, confirmation), delivered as soon as possible.
    public func enqueue(to recipient: String, subject: String, body: String, kind: String = "account") async throws {
        try await connection.query(
            "INSERT INTO messages (channel, kind, recipient, subject, body) VALUES ('email', \(kind), \(recipient), \(subject), \(body))"
        )
    }

    /// The latest messages, emails and SMS (for the development mailbox and tests).
    public func recent(limit: Int = 50) async throws -> [Email] {
        let rows = try await connection.query(
            """
            SELECT id, recipient, subject, body, created_at, channel, state FROM messages
            WHERE state <> 'cancelled' ORDER BY created_at DESC, id LIMIT \(limit)
            """
        )
        var emails: [Email] = []
        for try await (id, recipient, subject, body, at, channel, state) in rows.decode((UUID, String, String, String, Date, String, String).self) {
            emails.append(Email(id: id, recipient: recipient, subject: subject, body: body, createdAt: at, channel: channel, state: state))
        }
        return emails
    }
}
