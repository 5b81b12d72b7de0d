import Agenda
import Foundation
import Hummingbird
import Identity
import Tenancy

/// Personal API tokens: an agent makes and revokes theirs on "Mes jetons d’API"; the
/// département's administrators see and revoke those of the agents they administer.
struct APITokenRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/compte/jetons") { request, context in try await ownPage(request, context) }
        group.post("/compte/jetons") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let scopes: Set<APIScope> = fields["scope"] == "write" ? [.read, .write] : fields["scope"] == "read" ? [.read] : []
            let agentID = context.agent.id, ip = context.remoteAddress
            do {
                let (token, secret) = try await context.database.transaction { connection in
                    try await APITokenRepository(connection).create(
                        agentID: agentID, name: fields["name"] ?? "", scopes: scopes, days: Int(fields["days"] ?? "") ?? 0, ip: ip
                    )
                }
                return try await ownPage(request, context, values: ["secret": secret, "secretName": token.name], status: .created)
            } catch let error as APITokenError {
                return try await ownPage(request, context, values: ["errors": [error.french], "form": fields], status: error.status)
            }
        }
        group.post("/compte/jetons/:id/revoquer") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let tokenID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            let agent = context.agent, ip = context.remoteAddress
            try await context.database.transaction { try await APITokenRepository($0).revoke(tokenID, as: agent, ip: ip) }
            return redirect(to: fields["retour"] == "admin" ? "/jetons-api?revoque=1" : "/compte/jetons?revoque=1")
        }
        group.get("/jetons-api") { request, context in
            let agent = context.agent
            guard agent.role == .deptAdmin || agent.role == .admin else { throw PublicError(APITokenError.forbidden) }
            let organisationID = agent.role == .deptAdmin ? nil : agent.organisationID
            let tokens = try await context.database.transaction { try await APITokenRepository($0).all(organisationID: organisationID) }
            let now = Date()
            let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
            var values: [String: Any] = [
                "pageTitle": "Jetons d’API du département – \(context.tenant.name)",
                "tokens": tokens.map { row(token: $0.token, owner: $0.agent, now: now, formatter: formatter) },
                "hasTokens": !tokens.isEmpty,
            ]
            if request.uri.queryParameters["revoque"] != nil { values["notice"] = "Le jeton est révoqué : il ne donne plus accès à l’API." }
            return pages.render("api_tokens_admin", values, request: request, context: context)
        }
    }

    private func ownPage(
        _ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let agentID = context.agent.id
        let tokens = try await context.database.transaction { try await APITokenRepository($0).of(agentID: agentID) }
        let now = Date()
        let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        var all = values
        all["pageTitle"] = "Mes jetons d’API – \(context.tenant.name)"
        all["tokens"] = tokens.map { row(token: $0, owner: nil, now: now, formatter: formatter) }
        all["hasTokens"] = !tokens.isEmpty
        all["maximumDays"] = APITokenRepository.maximumDays
        if request.uri.queryParameters["revoque"] != nil { all["notice"] = "Le jeton est révoqué : il ne donne plus accès à l’API." }
        var response = pages.render("api_tokens", all, request: request, context: context, status: status)
        // The page may show a secret once: never kept by a cache.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func row(token: APIToken, owner: Agent?, now: Date, formatter: FrenchDates.Timestamps) -> [String: Any] {
        var row: [String: Any] = [
            "id": token.id.uuidString, "name": token.name, "prefix": token.prefix,
            "scopes": token.scopes.contains(.write) ? "lecture et écriture" : "lecture",
            "created": formatter.string(from: token.createdAt), "expires": formatter.string(from: token.expiresAt),
            "lastUsed": token.lastUsedAt.map { formatter.string(from: $0) } ?? "jamais",
            "live": token.isLive(at: now),
            "state": token.revokedAt != nil ? "révoqué" : token.expiresAt <= now ? "expiré" : "actif",
        ]
        if let owner { row["owner"] = owner.fullName }
        return row
    }
}
