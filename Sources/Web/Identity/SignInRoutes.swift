import Foundation
import Hummingbird
import Identity
import Tenancy

/// Sign-in and sign-out of agents.
struct SignInRoutes: Sendable {
    let database: Database
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(tenant router: Router<TenantRequestContext>, agent group: RouterGroup<AgentRequestContext>) {
        router.get("/connexion") { request, context in
            if context.agent != nil { return redirect(to: "/agent") }
            return form(request, context, values: ["retour": request.uri.queryParameters["retour"].map(String.init) ?? ""])
        }
        router.post("/connexion") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            let email = fields["email"] ?? ""
            let outcome = try await services.signIn.signIn(
                email: email, password: fields["password"] ?? "", ip: context.remoteAddress,
                userAgent: request.headers[.userAgent], in: database.tenant(context.tenant)
            )
            switch outcome {
            case .signedIn(let account):
                // A new token at each sign-in: a session id planted before it is worth nothing.
                let exempt = services.configuration.isDevelopment && account.email.hasSuffix(".demo")
                let required = AgentRole(rawValue: account.role)?.requiresSecondFactor ?? true
                let next = account.secondFactorEnabled
                    ? "/connexion/verification?retour=\(localPath(fields["retour"]).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                    : required && !exempt ? "/double-authentification" : localPath(fields["retour"])
                return redirect(
                    to: next,
                    cookies: [services.cookie(services.sessionCookieName, value: account.token.value), services.expiredCookie(services.formCookieName)]
                )
            case .refused:
                return form(request, context, values: [
                    "error": "Adresse électronique ou mot de passe incorrect.", "email": email, "retour": fields["retour"] ?? "",
                ], status: .unauthorized)
            case .throttled(let seconds):
                var response = form(request, context, values: [
                    "error": "Trop de tentatives. Réessayez dans \(Self.wait(seconds)), ou réinitialisez votre mot de passe.",
                    "email": email,
                ], status: .tooManyRequests)
                response.headers[.retryAfter] = String(seconds)
                return response
            }
        }
        group.post("/deconnexion") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await database.tenant(context.tenant).transaction { connection in
                try await SessionStore(connection).end(token: context.sessionToken)
                try await AuditLog(connection).record(.signedOut, actor: context.agent.id, subject: context.agent.id, ip: context.remoteAddress)
            }
            return redirect(to: "/connexion", cookies: [services.expiredCookie(services.sessionCookieName)])
        }
    }

    private func form(_ request: Request, _ context: TenantRequestContext, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var all = values
        all["pageTitle"] = "Connexion – \(context.tenant.name)"
        return pages.render("sign_in", all, request: request, tenant: context.tenant, status: status)
    }

    static func wait(_ seconds: Int) -> String {
        seconds < 90 ? "\(seconds) secondes" : "\((seconds + 59) / 60) minutes"
    }
}
