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
}

/// A live session, as listed on "my account".
public struct SessionSummary: Sendable, Hashable {
    /// First characters of the token hash, enough to name the session in a form.
    public let handle: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public let userAgent: String?
}

/// Server-side agent sessions of the département.
public struct SessionStore: Sendable {
    let connection: TenantConnection
    let lifetime: SessionLifetime

    public init(_ connection: TenantConnection, lifetime: SessionLifetime = .agents) {
        self.connection = connection
        self.lifetime = lifetime
    }

    /// A new session; `secondFactor` when the agent has just passed the second factor too.
    public func create(agentID: UUID, userAgent: String?, secondFactor: Bool = false) async throws -> SecretToken {
        let token = SecretToken.generate()
        let seconds = Int(lifetime.absolute.components.seconds)
        try await connection.query(
            """
            INSERT INTO agent_sessions (token_hash, agent_id, expires_at, user_agent, second_factor_at)
            VALUES (\(token.hash), \(agentID), now() + make_interval(secs => \(seconds)), \(userAgent.map { String($0.prefix(200)) }),
                    CASE WHEN \(secondFactor) THEN now() END)
            """
        )
        return token
    }

    /// Replaces a session by a new token that has passed the second factor (a privilege change).
    public func promote(token: String, userAgent: String?) async throws -> SecretToken? {
        let rows = try await connection.query(
            "DELETE FROM agent_sessions WHERE token_hash = \(SecretToken.hash(token)) RETURNING agent_id"
        )
        var agentID: UUID?
        for try await id in rows.decode(UUID.self) { agentID = id }
        guard let agentID else { return nil }
        return try await create(agentID: agentID, userAgent: userAgent, secondFactor: true)
    }

    /// The agent of a live session, after touching it; nil when unknown, idle too long or expired.
    public func agent(for token: String) async throws -> Agent? {
        try await session(for: token)?.agent
    }

    /// The live session of a token, after touching it.
    public func session(for token: String) async throws -> (agent: Agent, secondFactorPassed: Bool)? {
        let idle = Int(lifetime.idle.components.seconds)
        let hash = SecretToken.hash(token)
        let rows = try await connection.query(
            """
            UPDATE agent_sessions s SET last_seen_at = now()
            FROM agents a
            WHERE s.token_hash = \(hash) AND a.id = s.agent_id AND a.disabled_at IS NULL
              AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => \(idle))
            RETURNING a.id, s.second_factor_at IS NOT NULL
            """
        )
        var found: (UUID, Bool)?
        for try await row in rows.decode((UUID, Bool).self) { found = row }
        guard let (agentID, passed) = found, let agent = try await AgentRepository(connection).find(id: agentID) else { return nil }
        return (agent, passed)
    }

    public func end(token: String) async throws {
        try await connection.query("DELETE FROM agent_sessions WHERE token_hash = \(SecretToken.hash(token))")
    }

    /// Ends every session of the agent but `keeping` (when given).
    public func endAll(agentID: UUID, keeping token: String? = nil) async throws {
        let kept = token.map(SecretToken.hash) ?? Data()
        try await connection.query("DELETE FROM agent_sessions WHERE agent_id = \(agentID) AND token_hash <> \(kept)")
    }

    public func end(handle: String, agentID: UUID) async throws {
        try await connection.query(
            "DELETE FROM agent_sessions WHERE agent_id = \(agentID) AND left(encode(token_hash, 'hex'), 16) = \(handle)"
        )
    }

    public func list(agentID: UUID) async throws -> [SessionSummary] {
        let rows = try await connection.query(
            """
            SELECT left(encode(token_hash, 'hex'), 16), created_at, last_seen_at, user_agent
            FROM agent_sessions WHERE agent_id = \(agentID) AND expires_at > now() ORDER BY last_seen_at DESC
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
