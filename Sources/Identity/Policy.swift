import Foundation

/// Who acts: a signed-in agent, reduced to what permissions depend on.
public struct Actor: Sendable, Hashable {
    public let agentID: UUID
    public let role: AgentRole
    public let organisationID: UUID?
    public let serviceIDs: Set<UUID>

    public init(agentID: UUID, role: AgentRole, organisationID: UUID?, serviceIDs: Set<UUID> = []) {
        self.agentID = agentID
        self.role = role
        self.organisationID = organisationID
        self.serviceIDs = serviceIDs
    }
}

/// Another agent, as the object of an action.
public struct AgentReference: Sendable, Hashable {
    public let agentID: UUID
    public let organisationID: UUID?
    public let serviceIDs: Set<UUID>

    public init(agentID: UUID, organisationID: UUID?, serviceIDs: Set<UUID> = []) {
        self.agentID = agentID
        self.organisationID = organisationID
        self.serviceIDs = serviceIDs
    }
}

/// Everything an agent can ask to do that needs a permission.
public enum Action: Sendable, Hashable {
    case viewAgenda(AgentReference)
    case editAgenda(AgentReference)
    /// Settings, motifs and lieux of an organisation.
    case manageOrganisation(UUID)
    case viewAgents(UUID)
    case inviteAgent(organisationID: UUID?, role: AgentRole)
    case changeRole(AgentReference, to: AgentRole)
    /// Organisations, services, sectorisation, settings of the whole département.
    case manageDepartement
    case viewAuditLog
    /// Creating or completing many usager records at once from a file.
    case importUsagers
}

/// The one place that decides permissions.
public enum Policy {
    public static func can(_ actor: Actor, _ action: Action) -> Bool {
        switch action {
        case .viewAgenda(let target), .editAgenda(let target):
            if target.agentID == actor.agentID { return true }
            switch actor.role {
            case .deptAdmin: return true
            case .admin, .secretariat: return sameOrganisation(actor, target.organisationID)
            case .agent:
                return sameOrganisation(actor, target.organisationID) && !actor.serviceIDs.isDisjoint(with: target.serviceIDs)
            }
        case .manageOrganisation(let organisationID), .viewAgents(let organisationID):
            return actor.role == .deptAdmin || (actor.role == .admin && actor.organisationID == organisationID)
        case .inviteAgent(let organisationID, let role):
            switch actor.role {
            case .deptAdmin: return role == .deptAdmin || organisationID != nil
            case .admin: return role != .deptAdmin && organisationID != nil && actor.organisationID == organisationID
            case .agent, .secretariat: return false
            }
        case .changeRole(let target, let role):
            guard target.agentID != actor.agentID else { return false }
            switch actor.role {
            case .deptAdmin: return true
            case .admin: return role != .deptAdmin && sameOrganisation(actor, target.organisationID)
            case .agent, .secretariat: return false
            }
        case .manageDepartement:
            return actor.role == .deptAdmin
        case .viewAuditLog:
            return actor.role == .admin || actor.role == .deptAdmin
        case .importUsagers:
            // The secretariats keep the lists; an agent books for the people they receive.
            return actor.role != .agent
        }
    }

    private static func sameOrganisation(_ actor: Actor, _ organisationID: UUID?) -> Bool {
        organisationID != nil && actor.organisationID == organisationID
    }
}
