import Foundation
import PostgresNIO
import Tenancy

/// Checks credentials with throttling, rehashing and audit, and opens sessions, in either realm.
public struct SignInService: Sendable {
    /// What a successful sign-in knows of the account.
    public struct SignedIn: Sendable {
        public let accountID: UUID
        public let email: String
        public let role: String
        public let secondFactorEnabled: Bool
        public let token: SecretToken
    }

    public enum Outcome: Sendable {
        case signedIn(SignedIn)
        case refused
        case throttled(retryAfter: Int)
    }

    struct Credentials: Sendable {
        let id: UUID
        let email: String
        let role: String
        let passwordHash: String?
        let secondFactorEnabled: Bool
    }

    let hasher: PasswordHasher
    /// Verified when the email has no account, so that answers take the same time either way.
    let decoyHash: String

    public init(hasher: PasswordHasher) throws {
        self.hasher = hasher
        self.decoyHash = try PasswordHasher.hashNow(UUID().uuidString, parameters: hasher.parameters)
    }

    public func signIn<DB: TransactionalDatabase>(
        email rawEmail: String, password: String, ip: String?, userAgent: String?,
        in database: DB, realm: AccountRealm = .agents
    ) async throws -> Outcome {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        // Keys name the realm: an agent and a usager may share an email address.
        let keys = ["\(realm.accounts):sign_in:account:\(email)", "\(realm.accounts):sign_in:ip:\(ip ?? "-")"]
        let lookup: (account: Credentials?, retryAfter: Int?) = try await database.transaction { connection in
            let retryAfter = try await Throttle(connection, realm: realm).retryAfter(keys)
            return (retryAfter == nil ? try await credentials(email: email, realm: realm, on: connection) : nil, retryAfter)
        }
        if let retryAfter = lookup.retryAfter {
            try await database.transaction { connection in
                try await AuditLog(connection, realm: realm).record(.signInThrottled, ip: ip)
            }
            return .throttled(retryAfter: retryAfter)
        }
        let account = lookup.account
        let verified = await hasher.verify(password, against: account?.passwordHash ?? decoyHash) && account?.passwordHash != nil
        guard let account, verified else {
            try await database.transaction { connection in
                try await Throttle(connection, realm: realm).recordFailure(keys)
                try await AuditLog(connection, realm: realm).record(.signInFailed, subject: account?.id, ip: ip)
            }
            return .refused
        }
        let newHash = hasher.needsRehash(account.passwordHash ?? "") ? try await hasher.hash(password) : nil
        let token = try await database.transaction { connection in
            if let newHash {
                try await connection.query(
                    "UPDATE \(unescaped: realm.accounts) SET password_hash = \(newHash), updated_at = now() WHERE id = \(account.id)"
                )
            }
            try await Throttle(connection, realm: realm).reset(keys[0])
            try await AuditLog(connection, realm: realm).record(.signInSucceeded, actor: account.id, subject: account.id, ip: ip)
            return try await SessionStore(connection, realm: realm).create(agentID: account.id, userAgent: userAgent)
        }
        return .signedIn(SignedIn(
            accountID: account.id, email: account.email, role: account.role,
            secondFactorEnabled: account.secondFactorEnabled, token: token
        ))
    }

    /// An enabled account of the realm (and of its role, when the realm has one).
    func credentials(email: String, realm: AccountRealm, on connection: any SQLSession) async throws -> Credentials? {
        let rows = try await connection.query(
            """
            SELECT a.id, a.email, a.role, a.password_hash, a.totp_enabled_at IS NOT NULL
            FROM \(unescaped: realm.accounts) a
            WHERE a.email = \(email) AND a.disabled_at IS NULL\(unescaped: realm.roleCondition)
            """
        )
        for try await (id, email, role, hash, secondFactor) in rows.decode((UUID, String, String, String?, Bool).self) {
            return Credentials(id: id, email: email, role: role, passwordHash: hash, secondFactorEnabled: secondFactor)
        }
        return nil
    }
}
