import Foundation
import Hummingbird
import Identity
import Tenancy

/// Sign-in and sign-out of agents.
struct SignInRoutes: Sendable {
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
            let outcome = try await services.signIn.signIn(
                email: fields["email"] ?? "", password: fields["password"] ?? "", ip: context.remoteAddress,
                userAgent: request.headers[.userAgent], in: context.database
            )
            return answer(outcome, fields: fields, home: "/agent", hint: ", ou réinitialisez votre mot de passe") { values, status in
                form(request, context, values: values, status: status)
            } requiresSecondFactor: { AgentRole(rawValue: $0)?.requiresSecondFactor ?? true }
        }
        group.post("/deconnexion") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await context.database.transaction { connection in
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

    /// The response to a sign-in attempt, for agents and consortium accounts alike: where a
    /// signed-in person goes next (second factor, enrolment, or the page asked for), or the form
    /// again with why not.
    func answer(
        _ outcome: SignInService.Outcome, fields: [String: String], home: String, hint: String = "", cookieName: String? = nil,
        form: ([String: Any], HTTPResponse.Status) -> Response, requiresSecondFactor: (String) -> Bool
    ) -> Response {
        let email = fields["email"] ?? ""
        switch outcome {
        case .signedIn(let account):
            // A new token at each sign-in: a session id planted before it is worth nothing.
            let exempt = services.configuration.isDevelopment && account.email.hasSuffix(".demo")
            let back = localPath(fields["retour"], fallback: home)
            let next = account.secondFactorEnabled
                ? "/connexion/verification?retour=\(back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                : requiresSecondFactor(account.role) && !exempt ? "/double-authentification" : back
            return redirect(
                to: next,
                cookies: [
                    services.cookie(cookieName ?? services.sessionCookieName, value: account.token.value),
                    services.expiredCookie(services.formCookieName),
                ]
            )
        case .refused:
            return form(["error": "Adresse électronique ou mot de passe incorrect.", "email": email, "retour": fields["retour"] ?? ""], .unauthorized)
        case .throttled(let seconds):
            var response = form(["error": "Trop de tentatives. Réessayez dans \(Self.wait(seconds))\(hint).", "email": email], .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    static func wait(_ seconds: Int) -> String {
        seconds < 90 ? "\(seconds) secondes" : "\((seconds + 59) / 60) minutes"
    }
}
