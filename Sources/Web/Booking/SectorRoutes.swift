import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Tenancy

/// Sectorisation pages of the département administrator: sectors, who serves them, their zones,
/// CSV import and export, and testing an address.
struct SectorRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        let list = SectorListPage(pages: pages)
        group.get("/secteurs") { request, context in
            try context.require(.manageDepartement)
            return try await list.render(request, context)
        }
        group.post("/secteurs") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            return try await createSector(fields, request, context, list)
        }
        group.post("/secteurs/attributions") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            return try await attribute(fields, request, context, list)
        }
        group.post("/secteurs/attributions/retirer") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            guard let sectorID = UUID(uuidString: fields["sector"] ?? ""), let attributionID = UUID(uuidString: fields["attribution"] ?? "") else {
                throw PublicError.pageNotFound
            }
            let removed = try await context.database.transaction {
                try await SectorRepository($0).removeAttribution(id: attributionID, of: sectorID)
            }
            guard removed else { throw PublicError.pageNotFound }
            return try await list.render(request, context, values: ["notice": "Attribution retirée."])
        }
        SectorExchangeRoutes(forms: forms, list: list).register(on: group)
        SectorTesterRoutes(pages: pages).register(on: group)
        SectorZoneRoutes(pages: pages, forms: forms, list: list).register(on: group)
    }

    private func createSector(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext, _ list: SectorListPage) async throws -> Response {
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
        var errors = FieldErrors()
        if AddressKey.of(name).isEmpty || name.storedLength > 200 { errors.add("sector-name", "Le nom du secteur compte de 1 à 200 caractères, dont au moins une lettre ou un chiffre.") }
        guard errors.isEmpty else {
            return try await list.render(request, context, values: errors.values.merging(["input": fields]) { $1 }, status: .unprocessableContent)
        }
        let created = try await context.database.transaction { try await SectorRepository($0).create(named: name) }
        guard let created else {
            errors.add("sector-name", "Un secteur porte déjà ce nom.")
            return try await list.render(request, context, values: errors.values.merging(["input": fields]) { $1 }, status: .conflict)
        }
        return redirect(to: "/secteurs/\(created.id)")
    }

    private func attribute(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext, _ list: SectorListPage) async throws -> Response {
        guard let sectorID = UUID(uuidString: fields["sector"] ?? ""), let organisationID = UUID(uuidString: fields["organisation"] ?? "") else {
            throw PublicError(.badRequest, title: "Requête invalide", detail: "Choisissez un secteur et une organisation.")
        }
        let agentText = fields["agent"] ?? ""
        let agentID = UUID(uuidString: agentText)
        guard agentText.isEmpty || agentID != nil else { throw PublicError.pageNotFound }
        let outcome = try await context.database.transaction { connection -> AttributionCheck in
            // Ids this département does not have answer 404, as if the page did not exist.
            guard try await SectorRepository(connection).find(id: sectorID) != nil,
                  try await OrganisationRepository(connection).all().contains(where: { $0.id == organisationID })
            else { return .notFound }
            if let agentID {
                guard let agent = try await AgentRepository(connection).find(id: agentID) else { return .notFound }
                guard agent.organisationID == organisationID else { return .agentElsewhere }
            }
            return .checked(try await SectorRepository(connection).attribute(sectorID: sectorID, organisationID: organisationID, agentID: agentID))
        }
        switch outcome {
        case .checked(.added):
            return try await list.render(request, context, values: ["notice": "Secteur attribué."])
        case .checked(.alreadyThere):
            return try await list.render(request, context, values: ["notice": "Cette attribution existait déjà."])
        case .agentElsewhere:
            var errors = FieldErrors()
            errors.add("attribution-agent", "Cet agent ne fait pas partie de l’organisation choisie.")
            return try await list.render(request, context, values: errors.values, status: .unprocessableContent)
        case .checked(.unknown), .notFound:
            throw PublicError.pageNotFound
        }
    }

    private enum AttributionCheck: Sendable {
        case checked(SectorRepository.Attribution)
        case agentElsewhere
        case notFound
    }
}

