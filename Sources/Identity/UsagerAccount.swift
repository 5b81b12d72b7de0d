import Foundation
import PostgresNIO
import Tenancy

/// The account of a usager who chose to have one, in their département's schema.
public struct UsagerAccount: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let email: String
    public let firstName: String
    public let lastName: String
    public let confirmed: Bool

    public var fullName: String { "\(firstName) \(lastName)" }
}

/// Usager accounts of the département whose transaction this is.
public struct UsagerAccountRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    static let columns = "id, email, first_name, last_name, email_confirmed_at IS NOT NULL"

    public func find(id: UUID) async throws -> UsagerAccount? {
        try await decode(try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM usager_accounts WHERE id = \(id) AND disabled_at IS NULL"
        )).first
    }

    public func find(email: String) async throws -> UsagerAccount? {
        try await decode(try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM usager_accounts WHERE email = \(email.lowercased()) AND disabled_at IS NULL"
        )).first
    }

    /// A new, unconfirmed account; nil when the email already has one.
    public func create(email: String, firstName: String, lastName: String, passwordHash: String) async throws -> UsagerAccount? {
        try await decode(try await connection.query(
            """
            INSERT INTO usager_accounts (email, first_name, last_name, password_hash)
            VALUES (\(email.lowercased()), \(firstName), \(lastName), \(passwordHash))
            ON CONFLICT (email) DO NOTHING RETURNING \(unescaped: Self.columns)
            """
        )).first
    }

    public func confirm(id: UUID) async throws {
        try await connection.query(
            "UPDATE usager_accounts SET email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() WHERE id = \(id)"
        )
    }

    public func setPassword(hash: String, for id: UUID) async throws {
        try await connection.query("UPDATE usager_accounts SET password_hash = \(hash), updated_at = now() WHERE id = \(id)")
    }

    private func decode(_ rows: PostgresRowSequence) async throws -> [UsagerAccount] {
        var accounts: [UsagerAccount] = []
        for try await (id, email, first, last, confirmed) in rows.decode((UUID, String, String, String, Bool).self) {
            accounts.append(UsagerAccount(id: id, email: email, firstName: first, lastName: last, confirmed: confirmed))
        }
        return accounts
    }
}
