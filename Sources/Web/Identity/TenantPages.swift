import Hummingbird
import Identity
import Tenancy

/// Renders a département's page with what every such page shows: the département, the
/// signed-in agent and the sign-out form, and the CSRF token of its forms.
struct TenantPages: Sendable {
    let pages: Pages
    let forms: Forms

    func render(
        _ template: String, _ values: [String: Any], request: Request, tenant: Tenant,
        agent: Agent? = nil, sessionToken: String? = nil, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        let navigation = agent.map { Navigation(home: "/agent", homeLabel: "Espace agent", accountName: $0.fullName, accountLink: "/compte") }
        return render(template, values, request: request, siteName: tenant.name, navigation: navigation, sessionToken: sessionToken, status: status, headers: headers)
    }

    /// What the header offers a signed-in person.
    struct Navigation {
        let home: String
        let homeLabel: String
        let accountName: String
        let accountLink: String?
    }

    /// Any site's page: a département or a consortium space.
    func render(
        _ template: String, _ values: [String: Any], request: Request, siteName: String,
        navigation: Navigation?, sessionToken: String?, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        let (csrf, cookie) = forms.token(for: request, sessionToken: sessionToken)
        var all = values
        all["departement"] = siteName
        all["csrf"] = csrf
        all["hasErrors"] = !((values["errors"] as? [String]) ?? []).isEmpty
        if let navigation {
            all["signedIn"] = true
            all["navHome"] = navigation.home
            all["navHomeLabel"] = navigation.homeLabel
            all["agentName"] = navigation.accountName
            // Absent when nil: an empty string would still open the Mustache section.
            if let link = navigation.accountLink { all["navAccount"] = link }
        }
        var response = pages.render(template, all, status: status, headers: headers)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    func render(_ template: String, _ values: [String: Any], request: Request, context: AgentRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        render(template, values, request: request, tenant: context.tenant, agent: context.agent, sessionToken: context.sessionToken, status: status)
    }
}
