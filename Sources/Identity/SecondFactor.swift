import Crypto
import Foundation
import PostgresNIO
import Tenancy

/// TOTP enrolment and checks for agents. Secrets are sealed (ChaChaPoly) with a key derived
/// from the platform's secret, so a database dump alone does not yield them.
public struct SecondFactor: Sendable {
    let keyBytes: Data

    public init(secret: Data) {
        self.keyBytes = Data(SHA256.hash(data: Data("totp-secrets".utf8) + secret))
    }

    func seal(_ secret: Data) throws -> Data {
        try ChaChaPoly.seal(secret, using: SymmetricKey(data: keyBytes)).combined
    }

    func open(_ sealed: Data) throws -> Data {
        try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: sealed), using: SymmetricKey(data: keyBytes))
    }

    /// A new secret waiting for its first code; replaces any earlier pending one.
    public func startEnrolment(agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws -> TOTP {
        let totp = TOTP(secret: TOTP.generateSecret())
        let sealed = try seal(totp.secret)
        try await connection.query(
            "UPDATE \(unescaped: realm.accounts) SET totp_secret = \(sealed), totp_last_step = NULL WHERE id = \(agentID) AND totp_enabled_at IS NULL"
        )
        return totp
    }

    /// The agent's TOTP (pending or enabled), with the last step used.
    func totp(agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws -> (TOTP, lastStep: Int64?)? {
        let rows = try await connection.query(
            "SELECT totp_secret, totp_last_step FROM \(unescaped: realm.accounts) WHERE id = \(agentID) FOR UPDATE"
        )
        for try await (sealed, lastStep) in rows.decode((Data?, Int64?).self) {
            guard let sealed else { return nil }
            return (TOTP(secret: try open(sealed)), lastStep)
        }
        return nil
    }

    /// Checks a code and uses up its step, so it cannot be replayed.
    public func check(code: String, agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents, at date: Date = Date()) async throws -> Bool {
        guard let (totp, lastStep) = try await totp(agentID: agentID, on: connection, realm: realm),
              let step = totp.matchingStep(for: code, at: date, after: lastStep)
        else { return false }
        try await connection.query("UPDATE \(unescaped: realm.accounts) SET totp_last_step = \(step) WHERE id = \(agentID)")
        return true
    }

    /// Turns the pending secret on when `code` matches it; returns fresh recovery codes, or nil.
    public func confirmEnrolment(code: String, agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws -> [String]? {
        guard try await check(code: code, agentID: agentID, on: connection, realm: realm) else { return nil }
        try await connection.query("UPDATE \(unescaped: realm.accounts) SET totp_enabled_at = now(), updated_at = now() WHERE id = \(agentID)")
        return try await newRecoveryCodes(agentID: agentID, on: connection, realm: realm)
    }

    public func disable(agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws {
        try await connection.query(
            "UPDATE \(unescaped: realm.accounts) SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now() WHERE id = \(agentID)"
        )
        try await connection.query("DELETE FROM \(unescaped: realm.recoveryCodes) WHERE \(unescaped: realm.owner) = \(agentID)")
    }

    /// Ten single-use codes like `K7QX2-M4T9P`; earlier ones stop working.
    public func newRecoveryCodes(agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws -> [String] {
        try await connection.query("DELETE FROM \(unescaped: realm.recoveryCodes) WHERE \(unescaped: realm.owner) = \(agentID)")
        var codes: [String] = []
        for _ in 0..<10 {
            let raw = Base32.encode(TOTP.generateSecret()).prefix(10)
            let code = "\(raw.prefix(5))-\(raw.suffix(5))"
            try await connection.query(
                "INSERT INTO \(unescaped: realm.recoveryCodes) (code_hash, \(unescaped: realm.owner)) VALUES (\(Self.recoveryHash(code)), \(agentID))"
            )
            codes.append(code)
        }
        return codes
    }

    /// Uses up a recovery code of the agent; false when it is unknown or used.
    public func useRecoveryCode(_ code: String, agentID: UUID, on connection: any SQLSession, realm: AccountRealm = .agents) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: realm.recoveryCodes) SET used_at = now()
            WHERE \(unescaped: realm.owner) = \(agentID) AND code_hash = \(Self.recoveryHash(code)) AND used_at IS NULL RETURNING 1
            """
        )
        for try await _ in rows { return true }
        return false
    }

    static func recoveryHash(_ code: String) -> Data {
        let normalized = code.uppercased().filter { $0.isLetter || $0.isNumber }
        return SecretToken.hash(normalized)
    }
}
