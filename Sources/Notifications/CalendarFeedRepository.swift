import Foundation
import Identity
import PostgresNIO
import Tenancy

/// An agent's calendar feed as their account page shows it (never its token).
public struct CalendarFeedState: Sendable, Hashable {
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let includesUsagerNames: Bool
}

/// The feed whose token a calendar application presented.
public struct CalendarFeedOwner: Sendable, Hashable {
    public let agentID: UUID
    public let includesUsagerNames: Bool
}

/// The secret feed addresses of a département's agents: one per agent, only its SHA-256 stored.
public struct CalendarFeedRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func state(of agentID: UUID) async throws -> CalendarFeedState? {
        for try await (created, used, names) in try await connection.query(
            "SELECT created_at, last_used_at, include_usager_names FROM calendar_feeds WHERE agent_id = \(agentID)"
        ).decode((Date, Date?, Bool).self) {
            return CalendarFeedState(createdAt: created, lastUsedAt: used, includesUsagerNames: names)
        }
        return nil
    }

    /// Stores a new token for the agent: the former one, if any, stops working in this transaction.
    func replaceToken(of agentID: UUID, with token: SecretToken, includeNames: Bool?) async throws {
        try await connection.query(
            """
            INSERT INTO calendar_feeds (agent_id, token_hash, include_usager_names) VALUES (\(agentID), \(token.hash), coalesce(\(includeNames), false))
            ON CONFLICT (agent_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now(), last_used_at = NULL,
                include_usager_names = coalesce(\(includeNames), calendar_feeds.include_usager_names)
            """
        )
    }

    /// Whether there was a feed to delete.
    func delete(of agentID: UUID) async throws -> Bool {
        var deleted = false
        for try await _ in try await connection.query("DELETE FROM calendar_feeds WHERE agent_id = \(agentID) RETURNING agent_id") { deleted = true }
        return deleted
    }

    /// Whether there was a feed to change.
    func setIncludesNames(_ on: Bool, of agentID: UUID) async throws -> Bool {
        var changed = false
        for try await _ in try await connection.query(
            "UPDATE calendar_feeds SET include_usager_names = \(on) WHERE agent_id = \(agentID) RETURNING agent_id"
        ) { changed = true }
        return changed
    }

    /// The live feed of `token`, stamped as used now; nil for an unknown token or a deactivated agent.
    func use(token: String) async throws -> CalendarFeedOwner? {
        for try await (agentID, names) in try await connection.query(
            """
            UPDATE calendar_feeds f SET last_used_at = now() FROM agents a
            WHERE f.token_hash = \(SecretToken.hash(token)) AND a.id = f.agent_id AND a.disabled_at IS NULL
            RETURNING f.agent_id, f.include_usager_names
            """
        ).decode((UUID, Bool).self) {
            return CalendarFeedOwner(agentID: agentID, includesUsagerNames: names)
        }
        return nil
    }
}
