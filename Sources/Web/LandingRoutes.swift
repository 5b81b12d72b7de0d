import Hummingbird
import Tenancy

/// The consortium's landing page on the bare base domain: every open département, with its link.
struct LandingRoutes: Sendable {
    let directory: TenantDirectory
    let pages: Pages
    let publicScheme: String

    func register(on router: Router<LandingRequestContext>) {
        router.get("/") { request, _ in
            let port = portSuffix(of: request)
            let departements: [[String: Any]] = directory.publicTenants.map { tenant in
                [
                    "name": tenant.name,
                    "code": tenant.code.value,
                    "url": "\(publicScheme)://\(tenant.slug).\(directory.baseDomain)\(port)/",
                ]
            }
            return pages.render("landing", [
                "pageTitle": "RDV Solidarités – prise de rendez-vous des services sociaux des départements",
                "departements": departements,
                "hasDepartements": !departements.isEmpty,
            ])
        }
    }
}

/// `:8080` when the request's host named a port, so that links stay on the same server.
func portSuffix(of request: Request) -> String {
    let host = request.head.authority ?? ""
    guard !host.hasSuffix("]"), let colon = host.lastIndex(of: ":") else { return "" }
    return String(host[colon...])
}
