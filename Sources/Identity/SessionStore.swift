import Foundation
import PostgresNIO
import Tenancy

/// How long sessions live.
public struct SessionLifetime: Sendable {
    public var idle: Duration
    public var absolute: Duration

    public init(idle: Duration, absolute: Duration) {
        self.idle = idle
        self.absolute = absolute
    }

    public static let agents = SessionLifetime(idle: .seconds(2 * 3600), absolute: .seconds(12 * 3600))
    public static let operators = SessionLifetime(idle: .seconds(30 * 60), absolute: .seconds(8 * 3600))
    /// Usagers often share a phone or a computer at a social centre: short-lived by default.
    public static let usagers = SessionLifetime(idle: .seconds(3600), absolute: .seconds(12 * 3600))
}

/// A live session, as listed on "my account".
public struct SessionSummary: Sendable, Hashable {
    /// First characters of the token hash, enough to name the session in a form.
    public let handle: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public let userAgent: String?
}

/// Server-side sessions of one realm (agents of a département, or consortium accounts).
public struct SessionStore: Sendable {
    let connection: any SQLSession
    let realm: AccountRealm
    var lifetime: SessionLifetime { realm.lifetime }

    public init(_ connection: any SQLSession, realm: AccountRealm = .agents) {
        self.connection = connection
        self.realm = realm
    }

    /// A new session; `secondFactor` when the agent has just passed the second factor too.
    public func create(agentID: UUID, userAgent: String?, secondFactor: Bool = false) async throws -> SecretToken {
        let token = SecretToken.generate()
        let seconds = Int(lifetime.absolute.components.seconds)
        try await connection.query(
            """
            INSERT INTO \(unescaped: realm.sessions) (token_hash, \(unescaped: realm.owner), expires_at, user_agent, second_factor_at)
            VALUES (\(token.hash), \(agentID), now() + make_interval(secs => \(seconds)), \(userAgent.map { String($0.prefix(200)) }),
                    CASE WHEN \(secondFactor) THEN now() END)
            """
        )
        return token
    }

    /// Replaces a session by a new token that has passed the second factor (a privilege change).
    public func promote(token: String, userAgent: String?) async throws -> SecretToken? {
        let rows = try await connection.query(
            "DELETE FROM \(unescaped: realm.sessions) WHERE token_hash = \(SecretToken.hash(token)) RETURNING \(unescaped: realm.owner)"
        )
        var agentID: UUID?
        for try await id in rows.decode(UUID.self) { agentID = id }
        guard let agentID else { return nil }
        return try await create(agentID: agentID, userAgent: userAgent, secondFactor: true)
    }

    /// The agent of a live session, after touching it; nil when unknown, idle too long or expired.
    public func agent(for token: String) async throws -> Agent? {
        try await agentSession(for: token)?.agent
    }

    /// The agent of a live session, and whether it passed the second factor.
    public func agentSession(for token: String, openedAfter: Date? = nil) async throws -> (agent: Agent, secondFactorPassed: Bool)? {
        guard let (agentID, passed) = try await session(for: token, openedAfter: openedAfter),
              let agent = try await AgentRepository(connection).find(id: agentID)
        else { return nil }
        return (agent, passed)
    }

    /// The account of a live session, after touching it; nil when unknown, idle too long,
    /// expired, disabled, (for a realm limited to one role) of another role, or opened before
    /// `openedAfter` (the instant its département was suspended).
    public func session(for token: String, openedAfter: Date? = nil) async throws -> (accountID: UUID, secondFactorPassed: Bool)? {
        let idle = Int(lifetime.idle.components.seconds)
        let hash = SecretToken.hash(token)
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: realm.sessions) s SET last_seen_at = now()
            FROM \(unescaped: realm.accounts) a
            WHERE s.token_hash = \(hash) AND a.id = s.\(unescaped: realm.owner) AND a.disabled_at IS NULL\(unescaped: realm.roleCondition)
              AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => \(idle))
              AND s.created_at > coalesce(\(openedAfter)::timestamptz, '-infinity'::timestamptz)
            RETURNING a.id, s.second_factor_at IS NOT NULL
            """
        )
        var found: (UUID, Bool)?
        for try await row in rows.decode((UUID, Bool).self) { found = row }
        return found
    }

    public func end(token: String) async throws {
        try await connection.query("DELETE FROM \(unescaped: realm.sessions) WHERE token_hash = \(SecretToken.hash(token))")
    }

    /// Ends every session of the agent but `keeping` (when given).
    public func endAll(agentID: UUID, keeping token: String? = nil) async throws {
        let kept = token.map(SecretToken.hash) ?? Data()
        try await connection.query(
            "DELETE FROM \(unescaped: realm.sessions) WHERE \(unescaped: realm.owner) = \(agentID) AND token_hash <> \(kept)"
        )
    }

    public func end(handle: String, agentID: UUID) async throws {
        try await connection.query(
            "DELETE FROM \(unescaped: realm.sessions) WHERE \(unescaped: realm.owner) = \(agentID) AND left(encode(token_hash, 'hex'), 16) = \(handle)"
        )
    }

    public func list(agentID: UUID) async throws -> [SessionSummary] {
        let rows = try await connection.query(
            """
            SELECT left(encode(token_hash, 'hex'), 16), created_at, last_seen_at, user_agent
            FROM \(unescaped: realm.sessions) WHERE \(unescaped: realm.owner) = \(agentID) AND expires_at > now() ORDER BY last_seen_at DESC
            """
        )
        var sessions: [SessionSummary] = []
        for try await (handle, created, seen, agent) in rows.decode((String, Date, Date, String?).self) {
            sessions.append(SessionSummary(handle: handle, createdAt: created, lastSeenAt: seen, userAgent: agent))
        }
        return sessions
    }

    public static func handle(of token: String) -> String {
        SecretToken.hash(token).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
