import Agenda
import Foundation
import Identity
import Tenancy

/// Invites a new agent: the account without password, a single-use link valid 7 days, the email
/// that carries it and the audit event, in the caller's transaction. The agents page and the
/// console's onboarding of a département both invite this way.
public struct AgentInvitation: Sendable {
    public struct Invitee: Sendable {
        public let email: String
        public let firstName: String
        public let lastName: String
        public let role: AgentRole
        public let organisationID: UUID

        public init(email: String, firstName: String, lastName: String, role: AgentRole, organisationID: UUID) {
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
            self.role = role
            self.organisationID = organisationID
        }
    }

    /// Who invites: an agent of the département, or the consortium when it opens the département.
    public enum Inviter: Sendable {
        case agent(id: UUID, name: String)
        case consortium
    }

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// The invited agent; nil when the email is taken in this département or the organisation is
    /// not one of its own.
    public func invite(
        _ invitee: Invitee, by inviter: Inviter, tenant: Tenant, link: String, ip: String? = nil
    ) async throws -> Agent? {
        // Organisation ids may come from a form: only one of this département counts.
        guard try await OrganisationRepository(connection).all().contains(where: { $0.id == invitee.organisationID }),
              let agent = try await AgentRepository(connection).create(
                  email: invitee.email, firstName: invitee.firstName, lastName: invitee.lastName,
                  role: invitee.role, organisationID: invitee.organisationID
              )
        else { return nil }
        let token = try await OneTimeTokens(connection).issue(.invitation, for: agent.id)
        let who = switch inviter {
        case .agent(_, let name): "\(name) vous invite"
        case .consortium: "Le consortium RDV Solidarités ouvre la plateforme pour votre département et vous invite"
        }
        try await MessageQueue(connection).enqueueEmail(
            to: invitee.email,
            subject: "Invitation à rejoindre RDV Solidarités – \(tenant.name)",
            body: """
                Bonjour \(invitee.firstName),

                \(who) à rejoindre l’espace agent de RDV Solidarités du département \(tenant.name), avec le rôle « \(invitee.role.frenchName) ».

                Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours, une seule fois) :
                \(link)/invitation/\(token.value)

                Si vous n’attendiez pas cette invitation, ignorez ce message.
                """
        )
        let actor: UUID? = if case .agent(let id, _) = inviter { id } else { nil }
        try await AuditLog(connection).record(.invitationSent, actor: actor, subject: agent.id, ip: ip)
        return agent
    }
}
