import Foundation
import PostgresNIO
import Tenancy

/// Emails waiting to be sent, written in the transaction that caused them. Until the
/// notifications work delivers them, development shows them in a mailbox page.
public struct Outbox: Sendable {
    public struct Email: Sendable, Hashable {
        public let id: UUID
        public let recipient: String
        public let subject: String
        public let body: String
        public let createdAt: Date
    }

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func enqueue(to recipient: String, subject: String, body: String) async throws {
        try await connection.query("INSERT INTO outbox_emails (recipient, subject, body) VALUES (\(recipient), \(subject), \(body))")
    }

    public func recent(limit: Int = 50) async throws -> [Email] {
        let rows = try await connection.query(
            "SELECT id, recipient, subject, body, created_at FROM outbox_emails ORDER BY created_at DESC, id LIMIT \(limit)"
        )
        var emails: [Email] = []
        for try await (id, recipient, subject, body, at) in rows.decode((UUID, String, String, String, Date).self) {
            emails.append(Email(id: id, recipient: recipient, subject: subject, body: body, createdAt: at))
        }
        return emails
    }
}
