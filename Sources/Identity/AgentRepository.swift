import Foundation
import PostgresNIO
import Tenancy

/// Agents of the département whose transaction this is.
public struct AgentRepository: Sendable {
    let connection: any SQLSession

    /// On a département's transaction: the table is found through its search path.
    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    static let columns = "id, email, first_name, last_name, role, organisation_id, password_hash, totp_enabled_at IS NOT NULL, disabled_at IS NOT NULL"

    public func find(id: UUID) async throws -> Agent? {
        try await first(try await connection.query("SELECT \(unescaped: Self.columns) FROM agents WHERE id = \(id)"))
    }

    public func find(email: String) async throws -> Agent? {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        return try await first(try await connection.query("SELECT \(unescaped: Self.columns) FROM agents WHERE email = \(email)"))
    }

    public func all(in organisationID: UUID?) async throws -> [Agent] {
        let rows: PostgresRowSequence
        if let organisationID {
            rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM agents WHERE organisation_id = \(organisationID) ORDER BY last_name, first_name"
            )
        } else {
            rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM agents ORDER BY last_name, first_name")
        }
        return try await decode(rows)
    }

    /// Adds an agent without password (an invitation sets it); nil when the email is taken.
    public func create(
        email: String, firstName: String, lastName: String, role: AgentRole, organisationID: UUID?, passwordHash: String? = nil
    ) async throws -> Agent? {
        let rows = try await connection.query(
            """
            INSERT INTO agents (email, first_name, last_name, role, organisation_id, password_hash)
            VALUES (\(email.lowercased()), \(firstName), \(lastName), \(role.rawValue), \(organisationID), \(passwordHash))
            ON CONFLICT (email) DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try await first(rows)
    }

    public enum RoleChange: Sendable, Equatable {
        case changed
        case lastAdministrator
        case notFound
    }

    /// Gives `agentID` a new role, unless it is the last administrator of its organisation.
    /// The organisation's administrators are locked first, so two concurrent demotions cannot
    /// both see the other one still in place.
    public func changeRole(of agentID: UUID, to role: AgentRole) async throws -> RoleChange {
        guard let agent = try await find(id: agentID) else { return .notFound }
        if agent.role == .admin, role != .admin, let organisationID = agent.organisationID {
            let admins = try await connection.query(
                """
                SELECT id FROM agents
                WHERE organisation_id = \(organisationID) AND role = 'admin' AND disabled_at IS NULL
                ORDER BY id FOR UPDATE
                """
            )
            var count = 0
            for try await _ in admins { count += 1 }
            if count <= 1 { return .lastAdministrator }
        }
        try await connection.query("UPDATE agents SET role = \(role.rawValue), updated_at = now() WHERE id = \(agentID)")
        return .changed
    }

    /// Whether the agent is emailed about changes made online (or by a colleague) to their appointments.
    public func notifiesOnlineChanges(_ agentID: UUID) async throws -> Bool {
        for try await value in try await connection.query("SELECT notify_online_changes FROM agents WHERE id = \(agentID)").decode(Bool.self) {
            return value
        }
        return true
    }

    public func setNotifiesOnlineChanges(_ on: Bool, for agentID: UUID) async throws {
        try await connection.query("UPDATE agents SET notify_online_changes = \(on) WHERE id = \(agentID)")
    }

    public func setPassword(hash: String, for agentID: UUID) async throws {
        try await connection.query("UPDATE agents SET password_hash = \(hash), updated_at = now() WHERE id = \(agentID)")
    }

    private func first(_ rows: PostgresRowSequence) async throws -> Agent? {
        try await decode(rows).first
    }

    private func decode(_ rows: PostgresRowSequence) async throws -> [Agent] {
        var agents: [Agent] = []
        for try await (id, email, first, last, role, organisation, hash, secondFactor, disabled) in rows.decode(
            (UUID, String, String, String, String, UUID?, String?, Bool, Bool).self
        ) {
            guard let role = AgentRole(rawValue: role) else { continue }
            agents.append(Agent(
                id: id, email: email, firstName: first, lastName: last, role: role, organisationID: organisation,
                passwordHash: hash, secondFactorEnabled: secondFactor, disabled: disabled
            ))
        }
        return agents
    }
}
