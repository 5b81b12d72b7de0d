import Foundation
import PostgresNIO
import Tenancy

/// Who viewed, searched for, exported or changed which usager's record, and when (table
/// `usager_access_trail`, append-only for the département's role). It names ids only: the
/// page that shows it joins the names of agents, never copies them.
public struct AccessTrail: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case viewed, searched, exported, changed, imported

        public var french: String {
            switch self {
            case .viewed: "Dossier consulté"
            case .searched: "Trouvé par une recherche"
            case .exported: "Compris dans un export"
            case .changed: "Dossier modifié"
            case .imported: "Créé ou complété par un import"
            }
        }
    }

    /// Who acted: an agent on a page, or an API token (and the agent it belongs to).
    public struct Actor: Sendable, Hashable {
        public let agentID: UUID?
        public let apiTokenID: UUID?
        public let ip: String?

        public init(agentID: UUID?, apiTokenID: UUID? = nil, ip: String?) {
            self.agentID = agentID
            self.apiTokenID = apiTokenID
            self.ip = ip
        }
    }

    public struct Entry: Sendable, Hashable {
        public let occurredAt: Date
        public let action: Action
        public let usagerID: UUID
        /// "Prénom Nom" of the usager, for the administrators' pages (nil once the record is deleted).
        public let usagerName: String?
        /// "Prénom Nom" of the agent (nil when the account was since deleted).
        public let agentName: String?
        /// The API token's name when the access came through the API.
        public let tokenName: String?
        public let ip: String?
    }

    let connection: any SQLSession

    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    /// One entry per usager (a search or an export lists many at once), in the caller's transaction.
    public func record(_ action: Action, usagers: [UUID], by actor: Actor) async throws {
        let ids = Array(Set(usagers))
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO usager_access_trail (usager_id, agent_id, api_token_id, action, ip)
            SELECT id, \(actor.agentID), \(actor.apiTokenID), \(action.rawValue), \(actor.ip)::inet FROM unnest(\(ids)::uuid[]) AS ids (id)
            """
        )
    }

    /// The trail of one usager, newest first (for the record's page and a person's access request).
    public func entries(of usager: UUID, limit: Int = 500) async throws -> [Entry] {
        try await read("WHERE t.usager_id = $1", bind: usager, limit: limit)
    }

    /// The latest entries of the département, newest first.
    public func latest(limit: Int = 100) async throws -> [Entry] {
        try await read("", bind: nil, limit: limit)
    }

    private func read(_ condition: String, bind: UUID?, limit: Int) async throws -> [Entry] {
        var binds = PostgresBindings()
        if let bind { binds.append(bind) }
        binds.append(limit)
        let limitPlaceholder = bind == nil ? "$1" : "$2"
        let sql = """
            SELECT t.occurred_at, t.action, t.usager_id, u.first_name || ' ' || u.last_name, a.first_name || ' ' || a.last_name, k.name, host(t.ip)
            FROM usager_access_trail t
            LEFT JOIN usagers u ON u.id = t.usager_id
            LEFT JOIN agents a ON a.id = t.agent_id
            LEFT JOIN api_tokens k ON k.id = t.api_token_id
            \(condition)
            ORDER BY t.id DESC LIMIT \(limitPlaceholder)
            """
        var entries: [Entry] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds))
            .decode((Date, String, UUID, String?, String?, String?, String?).self)
        {
            guard let action = Action(rawValue: row.1) else { continue }
            entries.append(Entry(
                occurredAt: row.0, action: action, usagerID: row.2, usagerName: row.3, agentName: row.4, tokenName: row.5, ip: row.6
            ))
        }
        return entries
    }
}
