import Agenda
import Foundation
import Hummingbird
import Consortium
import Identity
import Tenancy

/// Sign-in, sign-out and home page of the consortium spaces. What operators and the steering
/// committee do there (onboarding, statistics) comes with their own work; the home pages show
/// the registry and the memberships, which they read today with `rdv tenants list`.
struct ConsortiumRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms
    /// The steering committee's home page is the statistics.
    let statistics: StatisticsRoutes

    func register(site router: Router<ConsortiumRequestContext>, members group: RouterGroup<ConsortiumMemberContext>) {
        router.get("/connexion") { request, context in
            if context.account != nil { return redirect(to: "/") }
            return form(request, context, values: ["retour": request.uri.queryParameters["retour"].map(String.init) ?? ""])
        }
        router.post("/connexion") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            let outcome = try await services.signIn.signIn(
                email: fields["email"] ?? "", password: fields["password"] ?? "", ip: context.remoteAddress,
                userAgent: request.headers[.userAgent], in: context.database, realm: context.realm
            )
            let signIn = SignInRoutes(services: services, pages: pages, forms: forms)
            return signIn.answer(outcome, fields: fields, home: "/") { values, status in
                form(request, context, values: values, status: status)
            } requiresSecondFactor: { ConsortiumRole(rawValue: $0)?.requiresSecondFactor ?? true }
        }
        group.post("/deconnexion") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let realm = context.realm
            try await context.database.transaction { connection in
                try await SessionStore(connection, realm: realm).end(token: context.sessionToken)
                try await AuditLog(connection, realm: realm).record(.signedOut, actor: context.account.id, subject: context.account.id, ip: context.remoteAddress)
            }
            return redirect(to: "/connexion", cookies: [services.expiredCookie(services.sessionCookieName)])
        }
        group.get("/") { request, context in
            if context.account.role == .steering { return try await statistics.home(request, context) }
            let tenants = try await context.database.registeredTenants()
            let memberships = try await context.database.transaction { try await MembershipRepository($0).conventionPeriods() }
            let realm = context.realm
            let journal = context.account.role == .operator_
                ? try await context.database.transaction { connection in try await AuditLog(connection, realm: realm).recent(limit: 50) }
                : []
            let formatter = FrenchDates.Timestamps(timeZone: "Europe/Paris")
            let page = ConsortiumHomePage(
                pageTitle: context.spaceName, heading: context.spaceName, role: context.account.role.frenchName,
                isOperator: context.account.role == .operator_,
                journal: journal.map { entry in
                    .init(
                        at: formatter.string(from: entry.occurredAt), event: entry.event.frenchLabel,
                        who: entry.actorName ?? entry.subjectName ?? "ligne de commande", departement: entry.departement ?? "—"
                    )
                },
                departements: tenants.sorted { $0.code < $1.code }.map { tenant in
                    .init(
                        code: tenant.code.value, name: tenant.name, status: tenant.status.frenchName,
                        conventionStart: memberships[tenant.id]?.start ?? "—", conventionEnd: memberships[tenant.id]?.end ?? "—"
                    )
                }
            )
            var values = page.templateValues
            if context.account.role == .operator_ {
                values.merge(try await PartnershipRoutes.warningValues(context.database)) { $1 }
                values["partnership"] = true
            }
            return pages.render("consortium_home", values, request: request, siteName: context.spaceName,
               navigation: .init(home: "/", homeLabel: "Accueil", accountName: context.account.fullName, accountLink: nil),
               sessionToken: context.sessionToken)
        }
    }

    private func form(_ request: Request, _ context: ConsortiumRequestContext, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var all = values
        all["pageTitle"] = "Connexion – \(context.spaceName)"
        all["heading"] = "Connexion – \(context.spaceName)"
        all["consortium"] = true
        return pages.render("sign_in", all, request: request, siteName: context.spaceName, navigation: nil, sessionToken: nil, status: status)
    }
}

/// Attaches the signed-in consortium member when the session cookie names a live session of
/// this host's role.
struct ConsortiumSessionMiddleware: RouterMiddleware {
    typealias Context = ConsortiumRequestContext
    let services: IdentityServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestTarget = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if let token = request.cookies[services.sessionCookieName]?.value, !token.isEmpty, token.count < 100 {
            let realm = context.realm
            let found = try await context.database.transaction { connection -> (ConsortiumAccount, Bool)? in
                guard let (id, passed) = try await SessionStore(connection, realm: realm).session(for: token),
                      let account = try await ConsortiumAccountRepository(connection).find(id: id)
                else { return nil }
                return (account, passed)
            }
            if let (account, passed) = found {
                context.account = account
                context.sessionToken = token
                context.secondFactorPassed = passed
                context.secondFactorExempt = services.configuration.isDevelopment && account.email.hasSuffix(".demo")
            }
        }
        return try await next(request, context)
    }
}
