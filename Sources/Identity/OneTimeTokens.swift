import Foundation
import PostgresNIO
import Tenancy

/// Single-use tokens sent by email: invitations (7 days) and password resets (1 hour).
public struct OneTimeTokens: Sendable {
    public enum Purpose: String, Sendable {
        case invitation
        case passwordReset = "password_reset"
        case emailConfirmation = "email_confirmation"

        var lifetimeSeconds: Int {
            switch self {
            case .invitation: 7 * 24 * 3600
            case .emailConfirmation: 24 * 3600
            case .passwordReset: 3600
            }
        }
    }

    let connection: TenantConnection
    let table: String
    let owner: String

    public init(_ connection: TenantConnection, realm: AccountRealm = .agents) {
        self.connection = connection
        guard let tokens = realm.tokens else { preconditionFailure("this realm sends no tokens") }
        self.table = tokens
        self.owner = realm.owner
    }

    /// A new token; earlier unused tokens of the same purpose for this agent stop working.
    public func issue(_ purpose: Purpose, for agentID: UUID) async throws -> SecretToken {
        try await connection.query(
            "DELETE FROM \(unescaped: table) WHERE \(unescaped: owner) = \(agentID) AND purpose = \(purpose.rawValue) AND used_at IS NULL"
        )
        let token = SecretToken.generate()
        try await connection.query(
            """
            INSERT INTO \(unescaped: table) (token_hash, \(unescaped: owner), purpose, expires_at)
            VALUES (\(token.hash), \(agentID), \(purpose.rawValue), now() + make_interval(secs => \(purpose.lifetimeSeconds)))
            """
        )
        return token
    }

    /// The agent a valid token names, without using it up.
    public func peek(_ purpose: Purpose, token: String) async throws -> UUID? {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: owner) FROM \(unescaped: table)
            WHERE token_hash = \(SecretToken.hash(token)) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > now()
            """
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Uses the token up and returns its agent; nil when unknown, expired, used or of another purpose.
    public func consume(_ purpose: Purpose, token: String) async throws -> UUID? {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: table) SET used_at = now()
            WHERE token_hash = \(SecretToken.hash(token)) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > now()
            RETURNING \(unescaped: owner)
            """
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }
}
