import Foundation
import PostgresNIO
import Tenancy

/// An operator or steering committee member, in schema `shared`.
public struct ConsortiumAccount: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let email: String
    public let firstName: String
    public let lastName: String
    public let role: ConsortiumRole
    public let secondFactorEnabled: Bool

    public var fullName: String { "\(firstName) \(lastName)" }
}

/// Consortium accounts. Reading works as the application role; creating them needs the owner
/// role (`rdv consortium create`), which the application does not have.
public struct ConsortiumAccountRepository: Sendable {
    let connection: any SQLSession

    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    public func find(id: UUID) async throws -> ConsortiumAccount? {
        try await decode(try await connection.query(
            """
            SELECT id, email, first_name, last_name, role, totp_enabled_at IS NOT NULL
            FROM shared.consortium_accounts WHERE id = \(id) AND disabled_at IS NULL
            """
        )).first
    }

    public func all() async throws -> [ConsortiumAccount] {
        try await decode(try await connection.query(
            """
            SELECT id, email, first_name, last_name, role, totp_enabled_at IS NOT NULL
            FROM shared.consortium_accounts WHERE disabled_at IS NULL ORDER BY role, last_name
            """
        ))
    }

    /// Adds an account, or gives an existing one of that email a new password and role.
    @discardableResult
    public func upsert(email: String, firstName: String, lastName: String, role: ConsortiumRole, passwordHash: String) async throws -> UUID {
        let rows = try await connection.query(
            """
            INSERT INTO shared.consortium_accounts (email, first_name, last_name, role, password_hash)
            VALUES (\(email.lowercased()), \(firstName), \(lastName), \(role.rawValue), \(passwordHash))
            ON CONFLICT (email) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                role = excluded.role, password_hash = excluded.password_hash, updated_at = now()
            RETURNING id
            """
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw ConsortiumAccountError.notSaved
    }

    private func decode(_ rows: PostgresRowSequence) async throws -> [ConsortiumAccount] {
        var accounts: [ConsortiumAccount] = []
        for try await (id, email, first, last, role, secondFactor) in rows.decode((UUID, String, String, String, String, Bool).self) {
            guard let role = ConsortiumRole(rawValue: role) else { continue }
            accounts.append(ConsortiumAccount(
                id: id, email: email, firstName: first, lastName: last, role: role, secondFactorEnabled: secondFactor
            ))
        }
        return accounts
    }
}

enum ConsortiumAccountError: Error {
    case notSaved
}
