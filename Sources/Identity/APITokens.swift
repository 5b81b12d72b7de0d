import Foundation
import PostgresNIO
import Tenancy

/// What a personal API token may do on top of its agent's permissions: read only, or also write.
public enum APIScope: String, Sendable, CaseIterable, Hashable {
    case read, write
}

/// An agent's personal API token, as its owner and the administrators see it (never the secret).
public struct APIToken: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let agentID: UUID
    public let name: String
    public let prefix: String
    public let scopes: Set<APIScope>
    public let expiresAt: Date
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public func isLive(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}

/// Why a token could not be made.
public enum APITokenError: DomainError, Equatable {
    case nameMissing, noScope, badExpiry, notFound, forbidden

    public var refusal: Refusal {
        switch self {
        case .nameMissing, .noScope, .badExpiry: .invalid
        case .notFound: .notFound
        case .forbidden: .forbidden
        }
    }

    public var title: String { self == .forbidden ? "Accès refusé" : "Jeton d’API" }

    public var french: String {
        switch self {
        case .nameMissing: "Donnez au jeton un nom de 1 à 80 caractères (par exemple le logiciel qui l’utilisera)."
        case .noScope: "Choisissez au moins un droit : lecture ou écriture."
        case .badExpiry: "La durée de validité va de 1 à 365 jours."
        case .notFound: "Ce jeton n’existe pas ou a déjà été révoqué."
        case .forbidden: "Vous ne pouvez révoquer que vos jetons, ou ceux des agents que vous administrez."
        }
    }
}

/// The personal API tokens of the département's agents. A token is `rdv_` and 43 random
/// characters; the table keeps its SHA-256 and its first characters only. It lives in the
/// département's schema, so it is worthless on another département's host.
public struct APITokenRepository: Sendable {
    public static let maximumDays = 365
    let connection: any SQLSession

    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    static let columns = "id, agent_id, name, prefix, scopes, expires_at, created_at, last_used_at, revoked_at"

    /// Makes a token for the agent; the secret is returned once and never again.
    public func create(agentID: UUID, name: String, scopes: Set<APIScope>, days: Int, now: Date = Date(), ip: String? = nil) async throws -> (token: APIToken, secret: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.storedLength) else { throw APITokenError.nameMissing }
        guard !scopes.isEmpty else { throw APITokenError.noScope }
        guard (1...Self.maximumDays).contains(days) else { throw APITokenError.badExpiry }
        let secret = "rdv_" + SecretToken.generate().value
        let prefix = String(secret.prefix(10))
        let rows = try await connection.query(
            """
            INSERT INTO api_tokens (agent_id, name, token_hash, prefix, scopes, expires_at)
            VALUES (\(agentID), \(name), \(SecretToken.hash(secret)), \(prefix), \(scopes.map(\.rawValue).sorted()),
                    \(now.addingTimeInterval(TimeInterval(days * 86_400))))
            RETURNING \(unescaped: Self.columns)
            """
        )
        guard let token = try await Self.decode(rows).first else { throw MissingReturnedRow("api_tokens") }
        try await AuditLog(connection).record(.apiTokenCreated, actor: agentID, subject: agentID, ip: ip)
        return (token, secret)
    }

    /// The live token with this secret and its agent, who must still be active; its last use is
    /// set to now when the one recorded is older than `lastUseResolution`. Nil for anything else:
    /// unknown, revoked, expired, or an agent deactivated.
    public func authenticate(_ secret: String, now: Date = Date()) async throws -> (token: APIToken, agent: Agent)? {
        guard secret.hasPrefix("rdv_"), secret.count < 100 else { return nil }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM api_tokens
            WHERE token_hash = \(SecretToken.hash(secret)) AND revoked_at IS NULL AND expires_at > \(now)
            """
        )
        guard let token = try await Self.decode(rows).first,
              let agent = try await AgentRepository(connection).find(id: token.agentID), !agent.disabled
        else { return nil }
        // Writing the last use on every call would lock the token's row until each call's commit,
        // so that one client's concurrent calls queued behind each other's WAL flush.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.lastUseResolution }) ?? true {
            try await connection.query(
                """
                UPDATE api_tokens SET last_used_at = \(now)
                WHERE id = \(token.id) AND (last_used_at IS NULL OR last_used_at < \(now.addingTimeInterval(-Self.lastUseResolution)))
                """
            )
        }
        return (token, agent)
    }

    /// How fresh a token's recorded last use is kept: within a minute.
    public static let lastUseResolution: TimeInterval = 60

    /// An agent's tokens, live ones first, newest first.
    public func of(agentID: UUID) async throws -> [APIToken] {
        try await Self.decode(try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM api_tokens WHERE agent_id = \(agentID) ORDER BY revoked_at IS NOT NULL, created_at DESC"
        ))
    }

    /// The tokens of the département, or of one organisation's agents, with their owners.
    public func all(organisationID: UUID?) async throws -> [(token: APIToken, agent: Agent)] {
        let agents = Dictionary(uniqueKeysWithValues: try await AgentRepository(connection).all(in: organisationID).map { ($0.id, $0) })
        let tokens = try await Self.decode(try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM api_tokens WHERE agent_id = ANY(\(Array(agents.keys))) ORDER BY revoked_at IS NOT NULL, created_at DESC"
        ))
        return tokens.compactMap { token in agents[token.agentID].map { (token, $0) } }
    }

    public func find(_ id: UUID) async throws -> APIToken? {
        try await Self.decode(try await connection.query("SELECT \(unescaped: Self.columns) FROM api_tokens WHERE id = \(id)")).first
    }

    /// Revokes a live token for `actor`: their own, or one of an agent they administer.
    public func revoke(_ id: UUID, as actor: Agent, ip: String?) async throws {
        guard let token = try await find(id), token.revokedAt == nil,
              let owner = try await AgentRepository(connection).find(id: token.agentID)
        else { throw APITokenError.notFound }
        let administers = owner.organisationID.map { Policy.can(actor.actor, .viewAgents($0)) } ?? (actor.role == .deptAdmin)
        guard owner.id == actor.id || administers else { throw APITokenError.forbidden }
        guard try await revoke(id, by: actor.id) else { throw APITokenError.notFound }
        try await AuditLog(connection).record(.apiTokenRevoked, actor: actor.id, subject: owner.id, ip: ip)
    }

    /// Revokes a live token; false when it was unknown or already revoked.
    @discardableResult
    public func revoke(_ id: UUID, by agentID: UUID) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE api_tokens SET revoked_at = now(), revoked_by_agent_id = \(agentID) WHERE id = \(id) AND revoked_at IS NULL RETURNING id"
        )
        var revoked = false
        for try await _ in rows { revoked = true }
        return revoked
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [APIToken] {
        var tokens: [APIToken] = []
        for try await (id, agentID, name, prefix, scopes, expires, created, used, revoked) in rows.decode(
            (UUID, UUID, String, String, [String], Date, Date, Date?, Date?).self
        ) {
            tokens.append(APIToken(
                id: id, agentID: agentID, name: name, prefix: prefix, scopes: Set(scopes.compactMap(APIScope.init(rawValue:))),
                expiresAt: expires, createdAt: created, lastUsedAt: used, revokedAt: revoked
            ))
        }
        return tokens
    }
}
