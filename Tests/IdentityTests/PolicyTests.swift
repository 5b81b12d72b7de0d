import Foundation
import Testing
@testable import Identity

/// Every role against every action, in one table.
@Suite struct PolicyTests {
    static let organisation = UUID()
    static let otherOrganisation = UUID()
    static let service = UUID()

    static func actor(_ role: AgentRole) -> Actor {
        Actor(agentID: UUID(), role: role, organisationID: role == .deptAdmin ? nil : organisation, serviceIDs: [service])
    }

    static let sameService = AgentReference(agentID: UUID(), organisationID: organisation, serviceIDs: [service])
    static let sameOrganisation = AgentReference(agentID: UUID(), organisationID: organisation, serviceIDs: [UUID()])
    static let otherOrg = AgentReference(agentID: UUID(), organisationID: otherOrganisation, serviceIDs: [service])

    /// Expected answers for agent, secretariat, admin, dept_admin, in that order.
    static let table: [(String, Action, [Bool])] = [
        ("agenda, same service", .viewAgenda(sameService), [true, true, true, true]),
        ("agenda, same organisation", .viewAgenda(sameOrganisation), [false, true, true, true]),
        ("agenda, other organisation", .viewAgenda(otherOrg), [false, false, false, true]),
        ("edit agenda, same organisation", .editAgenda(sameOrganisation), [false, true, true, true]),
        ("manage own organisation", .manageOrganisation(organisation), [false, false, true, true]),
        ("manage other organisation", .manageOrganisation(otherOrganisation), [false, false, false, true]),
        ("view agents of own organisation", .viewAgents(organisation), [false, false, true, true]),
        ("invite agent here", .inviteAgent(organisationID: organisation, role: .agent), [false, false, true, true]),
        ("invite admin here", .inviteAgent(organisationID: organisation, role: .admin), [false, false, true, true]),
        ("invite elsewhere", .inviteAgent(organisationID: otherOrganisation, role: .agent), [false, false, false, true]),
        ("invite département admin", .inviteAgent(organisationID: nil, role: .deptAdmin), [false, false, false, true]),
        ("promote colleague to admin", .changeRole(sameOrganisation, to: .admin), [false, false, true, true]),
        ("promote colleague to département admin", .changeRole(sameOrganisation, to: .deptAdmin), [false, false, false, true]),
        ("change role elsewhere", .changeRole(otherOrg, to: .agent), [false, false, false, true]),
        ("manage département", .manageDepartement, [false, false, false, true]),
        ("read audit log", .viewAuditLog, [false, false, true, true]),
        ("import usagers", .importUsagers, [false, true, true, true]),
    ]

    @Test(arguments: table.indices)
    func decision(row: Int) {
        let (label, action, expected) = Self.table[row]
        for (role, answer) in zip(AgentRole.allCases, expected) {
            #expect(Policy.can(Self.actor(role), action) == answer, "\(role.rawValue): \(label)")
        }
    }

    @Test func everyoneSeesTheirOwnAgendaAndNobodyChangesTheirOwnRole() {
        for role in AgentRole.allCases {
            let actor = Self.actor(role)
            let me = AgentReference(agentID: actor.agentID, organisationID: actor.organisationID)
            #expect(Policy.can(actor, .viewAgenda(me)))
            #expect(Policy.can(actor, .editAgenda(me)))
            #expect(!Policy.can(actor, .changeRole(me, to: .deptAdmin)))
        }
    }

    @Test func secondFactorIsRequiredForAdministrators() {
        #expect(AgentRole.allCases.filter(\.requiresSecondFactor) == [.admin, .deptAdmin])
    }
}
