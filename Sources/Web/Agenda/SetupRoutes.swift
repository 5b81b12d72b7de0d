import Agenda
import Foundation
import Hummingbird
import Identity
import Tenancy

/// What an organisation's administrator sets up before agents open their agendas: lieux and
/// motifs (services belong to the département and come from its administrator).
struct SetupRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/organisation") { request, context in try await page(request, context) }
        group.post("/organisation/lieux") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await createLieu(fields, request, context)
        }
        group.post("/organisation/motifs") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await createMotif(fields, request, context)
        }
        group.post("/organisation/nouvelle") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
            guard (1...200).contains(name.storedLength) else {
                return try await page(request, context, values: ["errors": ["Le nom de l’organisation compte de 1 à 200 caractères."]], status: .unprocessableContent)
            }
            let organisation = try await context.database.transaction { try await OrganisationRepository($0).ensure(named: name) }
            return try await page(request, context, values: ["organisation": organisation.id.uuidString, "notice": "Organisation « \(name) » enregistrée."])
        }
        group.post("/organisation/agents-services") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let organisation = try await organisation(context, asked: fields["organisation"])
            guard let agentID = UUID(uuidString: fields["agent"] ?? ""), let serviceID = UUID(uuidString: fields["service"] ?? "") else {
                throw PublicError(.badRequest, title: "Requête invalide", detail: "Choisissez un agent et un service.")
            }
            let done = try await context.database.transaction { connection -> Bool in
                // Only agents of the organisation managed, only services of this département.
                guard try await AgentRepository(connection).find(id: agentID)?.organisationID == organisation.id,
                      try await AgendaCatalog(connection).services().contains(where: { $0.id == serviceID })
                else { return false }
                let catalog = AgendaCatalog(connection)
                if fields["remove"] == "1" {
                    try await catalog.removeAgent(agentID, fromService: serviceID)
                } else {
                    try await catalog.addAgent(agentID, toService: serviceID)
                }
                return true
            }
            guard done else { throw PublicError.pageNotFound }
            return try await page(request, context, values: ["organisation": organisation.id.uuidString, "notice": "Services des agents mis à jour."])
        }
        group.post("/organisation/services") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
            guard (1...100).contains(name.storedLength) else {
                return try await page(request, context, values: ["errors": ["Le nom du service compte de 1 à 100 caractères."]], status: .unprocessableContent)
            }
            try await context.database.transaction { try await AgendaCatalog($0).ensureService(named: name) }
            return try await page(request, context, values: ["notice": "Service « \(name) » enregistré."])
        }
    }

    /// The organisation an administrator manages: their own, or the one a département administrator picks.
    private func organisation(_ context: AgentRequestContext, asked: String?) async throws -> Organisation {
        let organisations = try await context.database.transaction { try await OrganisationRepository($0).all() }
        let actor = context.agent.actor
        let manageable = organisations.filter { Policy.can(actor, .manageOrganisation($0.id)) }
        if let asked = asked.flatMap(UUID.init(uuidString:)), let chosen = manageable.first(where: { $0.id == asked }) { return chosen }
        if let own = manageable.first(where: { $0.id == context.agent.organisationID }) ?? manageable.first { return own }
        throw PublicError.forbidden
    }

    private func page(_ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let asked = request.uri.queryParameters["id"].map(String.init) ?? (values["organisation"] as? String)
        let organisation = try await organisation(context, asked: asked)
        let (lieux, motifs, archived, services, agents, assignments, organisations) = try await context.database.transaction { connection in
            let catalog = AgendaCatalog(connection)
            return (
                try await catalog.lieux(organisationID: organisation.id, includingDisabled: true),
                try await catalog.motifs(organisationID: organisation.id),
                try await catalog.motifs(organisationID: organisation.id, archived: true),
                try await catalog.services(),
                try await AgentRepository(connection).all(in: organisation.id),
                try await catalog.serviceAssignments(organisationID: organisation.id),
                try await OrganisationRepository(connection).all()
            )
        }
        let serviceNames = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0.name) })
        var all = values
        all["pageTitle"] = "\(organisation.name) – \(context.tenant.name)"
        all["organisationName"] = organisation.name
        all["organisationID"] = organisation.id.uuidString
        all["lieux"] = lieux.map { ["id": $0.id.uuidString, "name": $0.name, "address": $0.address, "closed": $0.status != .enabled, "state": $0.status.frenchName] }
        all["motifs"] = motifs.map { ["id": $0.id.uuidString, "name": $0.name, "duration": $0.durationMinutes, "collective": $0.collective] }
        all["archivedMotifs"] = archived.map { ["id": $0.id.uuidString, "name": $0.name] }
        all["hasArchivedMotifs"] = !archived.isEmpty
        all["services"] = services.map { ["id": $0.id.uuidString, "name": $0.name] }
        all["hasServices"] = !services.isEmpty
        all["agents"] = agents.map { agent in
            [
                "agentID": agent.id.uuidString, "agentName": agent.fullName,
                // Keys distinct from the agent's: Mustache looks names up through enclosing sections.
                "assigned": assignments.filter { $0.agentID == agent.id }.map { ["serviceID": $0.serviceID.uuidString, "serviceName": serviceNames[$0.serviceID] ?? ""] },
            ] as [String: Any]
        }
        all["hasAgents"] = !agents.isEmpty
        let actor = context.agent.actor
        all["organisations"] = organisations.filter { Policy.can(actor, .manageOrganisation($0.id)) }
            .map { ["id": $0.id.uuidString, "name": $0.name, "current": $0.id == organisation.id] }
        all["manageDepartement"] = Policy.can(context.agent.actor, .manageDepartement)
        return pages.render("organisation_setup", all, request: request, context: context, status: status)
    }

    private func createLieu(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let organisation = try await organisation(context, asked: fields["organisation"])
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let address = (fields["address"] ?? "").trimmingCharacters(in: .whitespaces)
        let phone = (fields["phone"] ?? "").trimmingCharacters(in: .whitespaces)
        var errors: [String] = []
        if !(1...200).contains(name.storedLength) { errors.append("Le nom du lieu compte de 1 à 200 caractères.") }
        if address.isEmpty { errors.append("L’adresse du lieu est obligatoire.") }
        let back: [String: Any] = ["organisation": organisation.id.uuidString]
        guard errors.isEmpty else { return try await page(request, context, values: back.merging(["errors": errors]) { $1 }, status: .unprocessableContent) }
        let created = try await context.database.transaction { connection in
            try await AgendaCatalog(connection).createLieu(organisationID: organisation.id, name: name, address: address, phone: phone.isEmpty ? nil : phone)
        }
        guard created != nil else {
            return try await page(request, context, values: back.merging(["errors": ["Un lieu porte déjà ce nom."]]) { $1 }, status: .conflict)
        }
        return try await page(request, context, values: back.merging(["notice": "Lieu « \(name) » ajouté."]) { $1 })
    }

    private func createMotif(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let organisation = try await organisation(context, asked: fields["organisation"])
        let back: [String: Any] = ["organisation": organisation.id.uuidString]
        let (rules, errors) = MotifForm.rules(from: fields)
        guard let rules else {
            return try await page(request, context, values: back.merging(["errors": errors]) { $1 }, status: .unprocessableContent)
        }
        let created = try await context.database.transaction { connection -> UUID? in
            guard try await AgendaCatalog(connection).services().contains(where: { $0.id == rules.serviceID }) else { return nil }
            return try await MotifRepository(connection).create(organisationID: organisation.id, rules)
        }
        guard created != nil else {
            return try await page(request, context, values: back.merging(["errors": ["Un motif porte déjà ce nom, ou le service n’existe pas."]]) { $1 }, status: .conflict)
        }
        return try await page(request, context, values: back.merging(["notice": "Motif « \(rules.name) » ajouté."]) { $1 })
    }
}
