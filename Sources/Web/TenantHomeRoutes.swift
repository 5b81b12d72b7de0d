import Agenda
import Hummingbird
import Tenancy

/// A département's home page.
struct TenantHomeRoutes: Sendable {
    let pages: Pages

    func register(on router: Router<TenantRequestContext>) {
        router.get("/") { _, context in
            let tenant = context.tenant
            let organisations = try await context.database.transaction { connection in
                try await OrganisationRepository(connection).all()
            }
            return pages.render("tenant_home", [
                "pageTitle": "Prendre rendez-vous – \(tenant.name)",
                "departement": tenant.name,
                "code": tenant.code.value,
                "organisations": organisations.map { ["name": $0.name] },
                "hasOrganisations": !organisations.isEmpty,
            ])
        }
    }
}
