/// Where accounts of one kind live: agents in their département's schema, consortium members
/// (operators, steering committee) in schema `shared`. Sessions, throttling, second factor and
/// audit work the same in both; only the tables differ. Names here are constants of this
/// module, never input, so they may be spliced into SQL.
public struct AccountRealm: Sendable {
    public let accounts: String
    public let sessions: String
    public let recoveryCodes: String
    public let throttles: String
    /// Single-use tokens sent by email, when the realm has them.
    public let tokens: String?
    public let audit: String
    /// Column naming the account in `sessions` and `recoveryCodes`.
    public let owner: String
    public let auditActor: String
    public let auditSubject: String
    /// When set, only accounts with this role may sign in (console and stats hosts).
    public let role: String?
    /// A further condition on accounts that may sign in (`a` is the account).
    let signInCondition: String
    public let lifetime: SessionLifetime

    public static let agents = AccountRealm(
        accounts: "agents", sessions: "agent_sessions", recoveryCodes: "agent_recovery_codes",
        throttles: "throttles", tokens: "agent_tokens", audit: "audit_events", owner: "agent_id",
        auditActor: "actor_agent_id", auditSubject: "subject_agent_id", role: nil, signInCondition: "", lifetime: .agents
    )

    /// Usagers with an account, in their département's schema; they sign in once their email is confirmed.
    public static let usagers = AccountRealm(
        accounts: "usager_accounts", sessions: "usager_sessions", recoveryCodes: "usager_recovery_codes",
        throttles: "throttles", tokens: "usager_tokens", audit: "audit_events", owner: "account_id",
        auditActor: "actor_usager_id", auditSubject: "subject_usager_id", role: nil,
        signInCondition: " AND a.email_confirmed_at IS NOT NULL", lifetime: .usagers
    )

    public static func consortium(_ role: ConsortiumRole) -> AccountRealm {
        AccountRealm(
            accounts: "shared.consortium_accounts", sessions: "shared.consortium_sessions",
            recoveryCodes: "shared.consortium_recovery_codes", throttles: "shared.consortium_throttles", tokens: nil,
            audit: "shared.consortium_audit_events", owner: "account_id",
            auditActor: "actor_account_id", auditSubject: "subject_account_id", role: role.rawValue,
            signInCondition: "", lifetime: .operators
        )
    }

    /// `AND a.role = '…'` for a realm limited to one role (a constant of this module).
    var roleCondition: String { (role.map { " AND a.role = '\($0)'" } ?? "") + signInCondition }
}

/// Accounts of the consortium, in schema `shared`.
public enum ConsortiumRole: String, CaseIterable, Sendable {
    /// Onboards, suspends and offboards départements; signs in on `console.` only.
    case operator_ = "operator"
    /// Reads consortium statistics; signs in on `stats.` only.
    case steering

    public var requiresSecondFactor: Bool { self == .operator_ }

    public var frenchName: String {
        switch self {
        case .operator_: "Opérateur du consortium"
        case .steering: "Membre du comité de pilotage"
        }
    }
}
