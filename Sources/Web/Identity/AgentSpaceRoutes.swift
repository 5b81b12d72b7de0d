import Agenda
import Foundation
import Notifications
import Hummingbird
import Identity
import Tenancy

/// The agent's home, the agents of an organisation, invitations, the audit trail.
struct AgentSpaceRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agent") { request, context in
            let agent = context.agent
            let organisation = try await context.database.transaction { connection in
                try await OrganisationRepository(connection).all().first { $0.id == agent.organisationID }
            }
            let actor = agent.actor
            var values: [String: Any] = [
                "pageTitle": "Espace agent – \(context.tenant.name)",
                "firstName": agent.firstName,
                "role": agent.role.frenchName,
                "canManageAgents": agent.organisationID.map { Policy.can(actor, .viewAgents($0)) } ?? (agent.role == .deptAdmin),
                "canViewAudit": Policy.can(actor, .viewAuditLog),
                "canImportUsagers": Policy.can(actor, .importUsagers),
                "canExport": agent.role == .deptAdmin || agent.role == .admin,
                "canManageDepartement": Policy.can(actor, .manageDepartement),
                "development": services.configuration.isDevelopment,
            ]
            if let organisation { values["organisation"] = organisation.name }
            return pages.render("agent_home", values, request: request, context: context)
        }

        group.get("/agents") { request, context in
            try await agentsPage(request, context)
        }

        group.post("/agents/invitations") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await invite(fields, request, context)
        }

        group.post("/agents/:id/role") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await changeRole(fields, request, context)
        }

        group.get("/journal") { request, context in
            try context.require(.viewAuditLog)
            let entries = try await context.database.transaction { connection in
                try await AuditLog(connection).recent()
            }
            return pages.render("audit_log", [
                "pageTitle": "Journal de sécurité – \(context.tenant.name)",
                "entries": entries.map { entry in
                    [
                        "at": FrenchDates.timestamp(entry.occurredAt, timeZone: context.tenant.timeZone),
                        "event": entry.event.frenchLabel,
                        "actor": entry.actorName ?? "—",
                        "subject": entry.subjectName ?? "—",
                    ]
                },
            ], request: request, context: context)
        }
    }

    /// Organisations whose agents this actor manages: its own for an admin, all for a département admin.
    private func manageableOrganisations(_ context: AgentRequestContext) async throws -> [Organisation] {
        let actor = context.agent.actor
        let all = try await context.database.transaction { connection in
            try await OrganisationRepository(connection).all()
        }
        return all.filter { Policy.can(actor, .viewAgents($0.id)) }
    }

    private func agentsPage(
        _ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let organisations = try await manageableOrganisations(context)
        guard !organisations.isEmpty else { throw PublicError.forbidden }
        let agents = try await context.database.transaction { connection in
            let repository = AgentRepository(connection)
            var agents: [Agent] = []
            for organisation in organisations { agents += try await repository.all(in: organisation.id) }
            return agents
        }
        let names = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id, $0.name) })
        let roles = AgentRole.allCases.filter { role in
            organisations.contains { Policy.can(context.agent.actor, .inviteAgent(organisationID: $0.id, role: role)) }
        }
        var all = values
        all["pageTitle"] = "Agents – \(context.tenant.name)"
        let actor = context.agent.actor
        all["agents"] = agents.map { agent in
            let choices = AgentRole.allCases.filter { $0 != agent.role && Policy.can(actor, .changeRole(agent.reference, to: $0)) }
            return [
                "id": agent.id.uuidString,
                "name": agent.fullName, "email": agent.email, "role": agent.role.frenchName,
                "organisation": agent.organisationID.flatMap { names[$0] } ?? "—",
                "pending": agent.passwordHash == nil,
                "roleChoices": choices.map { ["value": $0.rawValue, "label": $0.frenchName] },
                "canChangeRole": !choices.isEmpty,
            ] as [String: Any]
        }
        all["organisations"] = organisations.map { ["id": $0.id.uuidString, "name": $0.name] }
        all["roles"] = roles.filter { $0 != .deptAdmin }.map { ["value": $0.rawValue, "label": $0.frenchName] }
        return pages.render("agents", all, request: request, context: context, status: status)
    }

    private func invite(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let firstName = (fields["first_name"] ?? "").trimmingCharacters(in: .whitespaces)
        let lastName = (fields["last_name"] ?? "").trimmingCharacters(in: .whitespaces)
        let role = AgentRole(rawValue: fields["role"] ?? "")
        let organisationID = UUID(uuidString: fields["organisation"] ?? "")
        var errors: [String] = []
        if !TenantFile.isPlausibleEmail(email) { errors.append("L’adresse électronique n’est pas valide.") }
        if firstName.isEmpty || firstName.storedLength > 100 { errors.append("Le prénom est obligatoire (100 caractères au plus).") }
        if lastName.isEmpty || lastName.storedLength > 100 { errors.append("Le nom est obligatoire (100 caractères au plus).") }
        guard let role, let organisationID else {
            return try await agentsPage(request, context, values: ["errors": ["Choisissez une organisation et un rôle."] + errors], status: .unprocessableContent)
        }
        guard Policy.can(context.agent.actor, .inviteAgent(organisationID: organisationID, role: role)) else {
            throw PublicError.forbidden
        }
        guard errors.isEmpty else {
            return try await agentsPage(request, context, values: ["errors": errors, "form": fields], status: .unprocessableContent)
        }
        let link = services.configuration.publicURL(slug: context.tenant.slug)
        let tenant = context.tenant
        let inviter = context.agent
        let invitee = AgentInvitation.Invitee(email: email, firstName: firstName, lastName: lastName, role: role, organisationID: organisationID)
        let ip = context.remoteAddress
        let invited = try await context.database.transaction { connection in
            try await AgentInvitation(connection).invite(
                invitee, by: .agent(id: inviter.id, name: inviter.fullName), tenant: tenant, link: link, ip: ip
            ) != nil
        }
        guard invited else {
            return try await agentsPage(
                request, context, values: ["errors": ["Un agent utilise déjà cette adresse électronique, ou l’organisation n’existe pas."], "form": fields],
                status: .unprocessableContent
            )
        }
        return try await agentsPage(request, context, values: ["notice": "Invitation envoyée à \(email)."])
    }

    private func changeRole(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        // An id of another département, or no id at all, is simply not found here.
        guard let targetID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let role = AgentRole(rawValue: fields["role"] ?? "")
        else { throw PublicError.pageNotFound }
        let actor = context.agent.actor
        let outcome = try await context.database.transaction { connection -> AgentRepository.RoleChange? in
            let repository = AgentRepository(connection)
            guard let target = try await repository.find(id: targetID) else { return .notFound }
            guard Policy.can(actor, .changeRole(target.reference, to: role)) else { return nil }
            let outcome = try await repository.changeRole(of: targetID, to: role)
            if outcome == .changed {
                // The agent signs in again and gets the new role's rights from a fresh session.
                try await SessionStore(connection).endAll(agentID: targetID)
                try await AuditLog(connection).record(.roleChanged, actor: actor.agentID, subject: targetID, ip: context.remoteAddress)
            }
            return outcome
        }
        switch outcome {
        case nil: throw PublicError.forbidden
        case .notFound?: throw PublicError.pageNotFound
        case .lastAdministrator?:
            return try await agentsPage(
                request, context, values: ["errors": ["Chaque organisation garde au moins un administrateur : nommez-en un autre d’abord."]],
                status: .conflict
            )
        case .changed?:
            return try await agentsPage(request, context, values: ["notice": "Rôle modifié."])
        }
    }

}

extension PublicError {
    static let forbidden = PublicError(.forbidden, title: "Accès refusé", detail: "Votre rôle ne permet pas d’accéder à cette page.")
}
