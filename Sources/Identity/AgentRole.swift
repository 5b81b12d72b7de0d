/// What an agent may do inside a département.
public enum AgentRole: String, CaseIterable, Sendable, Codable {
    /// Own agenda, and those of agents of the same service.
    case agent
    /// Every agenda of its organisation.
    case secretariat
    /// Its organisation's settings, agents, motifs, lieux.
    case admin
    /// The whole département.
    case deptAdmin = "dept_admin"

    /// Roles that must confirm sign-in with a second factor.
    public var requiresSecondFactor: Bool { self == .admin || self == .deptAdmin }

    public var frenchName: String {
        switch self {
        case .agent: "Agent"
        case .secretariat: "Secrétariat"
        case .admin: "Administrateur de l’organisation"
        case .deptAdmin: "Administrateur du département"
        }
    }
}
