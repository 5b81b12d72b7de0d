import Foundation

/// An agent account of a département.
public struct Agent: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let email: String
    public let firstName: String
    public let lastName: String
    public let role: AgentRole
    public let organisationID: UUID?
    public let passwordHash: String?
    public let secondFactorEnabled: Bool
    public let disabled: Bool

    public var fullName: String { "\(firstName) \(lastName)" }

    public var actor: Actor { Actor(agentID: id, role: role, organisationID: organisationID) }

    public var reference: AgentReference { AgentReference(agentID: id, organisationID: organisationID) }
}
