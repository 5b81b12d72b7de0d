import Agenda
import Booking
import Hummingbird
import Identity
import Tenancy

/// The list of sectors with its forms, shown again with a form's errors or notice.
struct SectorListPage: Sendable {
    let pages: TenantPages

    func render(_ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let (sectors, organisations, agents) = try await context.database.transaction { connection in
            (
                try await SectorRepository(connection).all(),
                try await OrganisationRepository(connection).all(),
                try await AgentRepository(connection).all(in: nil)
            )
        }
        let organisationNames = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id, $0.name) })
        var all = values
        all["pageTitle"] = "Sectorisation – \(context.tenant.name)"
        all["hasSectors"] = !sectors.isEmpty
        all["sectors"] = sectors.map { summary in
            [
                "sectorID": summary.id.uuidString, "sectorName": summary.sector.name, "zoneCount": summary.zoneCount,
                "attributions": summary.attributions.map(Self.values),
            ] as [String: Any]
        }
        all["organisations"] = organisations.map { ["organisationID": $0.id.uuidString, "organisationName": $0.name] }
        all["agents"] = agents.filter { !$0.disabled }.compactMap { agent -> [String: String]? in
            guard let organisation = agent.organisationID.flatMap({ organisationNames[$0] }) else { return nil }
            return ["agentID": agent.id.uuidString, "agentName": agent.fullName, "agentOrganisation": organisation]
        }
        return pages.render("sectors", all, request: request, context: context, status: status)
    }

    /// An attribution for a template; `attributedAgent` is false rather than absent, so that
    /// Mustache does not find the signed-in agent's name in an enclosing context.
    static func values(_ attribution: SectorAttribution) -> [String: Any] {
        [
            "attributionID": attribution.id.uuidString, "organisationName": attribution.organisationName,
            "attributedAgent": attribution.agentName ?? false,
            "label": attribution.agentName.map { "\($0) (\(attribution.organisationName))" } ?? attribution.organisationName,
        ]
    }
}
