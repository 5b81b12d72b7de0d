import Foundation
import Hummingbird
import Identity
import Tenancy

/// The second factor: the code asked after the password, and enrolment (QR code, confirmation,
/// recovery codes).
struct SecondFactorRoutes: Sendable {
    let database: Database
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<SecondFactorContext>) {
        group.get("/connexion/verification") { request, context in
            guard context.agent.secondFactorEnabled, !context.secondFactorPassed else { return redirect(to: "/agent") }
            return challengePage(request, context)
        }
        group.post("/connexion/verification") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard context.agent.secondFactorEnabled, !context.secondFactorPassed else { return redirect(to: "/agent") }
            let code = fields["code"] ?? ""
            let agentID = context.agent.id
            let key = "second_factor:\(agentID.uuidString)"
            let result = try await database.tenant(context.tenant).transaction { connection -> (SecretToken?, Int?) in
                let throttle = Throttle(connection)
                if let wait = try await throttle.retryAfter([key]) { return (nil, wait) }
                let factor = services.secondFactor
                let passed = code.count <= 7
                    ? try await factor.check(code: code, agentID: agentID, on: connection)
                    : try await factor.useRecoveryCode(code, agentID: agentID, on: connection)
                guard passed else {
                    try await throttle.recordFailure([key])
                    try await AuditLog(connection).record(.signInFailed, subject: agentID, ip: context.remoteAddress)
                    return (nil, nil)
                }
                try await throttle.reset(key)
                try await AuditLog(connection).record(.signInSucceeded, actor: agentID, subject: agentID, ip: context.remoteAddress)
                return (try await SessionStore(connection).promote(token: context.sessionToken, userAgent: request.headers[.userAgent]), nil)
            }
            if let wait = result.1 {
                var response = challengePage(request, context, error: "Trop de codes erronés. Réessayez dans \(SignInRoutes.wait(wait)).", status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            guard let token = result.0 else {
                return challengePage(request, context, error: "Ce code n’est pas valide. Saisissez le code affiché maintenant par votre application.", status: .unauthorized)
            }
            let target = localPath(request.uri.queryParameters["retour"].map(String.init))
            return redirect(to: target, cookies: [services.cookie(services.sessionCookieName, value: token.value)])
        }

        group.get("/double-authentification") { request, context in
            try await enrolmentPage(request, context)
        }
        group.post("/double-authentification/activation") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard !context.agent.secondFactorEnabled else { return redirect(to: "/double-authentification") }
            let agentID = context.agent.id
            let outcome = try await database.tenant(context.tenant).transaction { connection -> ([String], SecretToken)? in
                guard let codes = try await services.secondFactor.confirmEnrolment(code: fields["code"] ?? "", agentID: agentID, on: connection),
                      let token = try await SessionStore(connection).promote(token: context.sessionToken, userAgent: request.headers[.userAgent])
                else { return nil }
                try await AuditLog(connection).record(.secondFactorEnabled, actor: agentID, subject: agentID, ip: context.remoteAddress)
                return (codes, token)
            }
            guard let (codes, token) = outcome else {
                return try await enrolmentPage(request, context, error: "Ce code ne correspond pas. Scannez de nouveau le code QR puis saisissez le code affiché.", status: .unprocessableContent)
            }
            var response = pages.render("recovery_codes", [
                "pageTitle": "Codes de secours – \(context.tenant.name)", "codes": codes,
            ], request: request, tenant: context.tenant, agent: context.agent, sessionToken: token.value)
            response.setCookie(services.cookie(services.sessionCookieName, value: token.value))
            return response
        }
        group.post("/double-authentification/desactivation") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard context.agent.secondFactorEnabled, context.secondFactorPassed else { return redirect(to: "/double-authentification") }
            guard !context.agent.role.requiresSecondFactor else {
                throw PublicError(.forbidden, title: "Double authentification obligatoire", detail: "Votre rôle exige la double authentification.")
            }
            let agentID = context.agent.id
            let done = try await database.tenant(context.tenant).transaction { connection -> Bool in
                guard try await services.secondFactor.check(code: fields["code"] ?? "", agentID: agentID, on: connection) else { return false }
                try await services.secondFactor.disable(agentID: agentID, on: connection)
                try await AuditLog(connection).record(.secondFactorDisabled, actor: agentID, subject: agentID, ip: context.remoteAddress)
                return true
            }
            guard done else {
                return try await enrolmentPage(request, context, error: "Ce code n’est pas valide.", status: .unprocessableContent)
            }
            return redirect(to: "/compte")
        }
    }

    private func challengePage(_ request: Request, _ context: SecondFactorContext, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [
            "pageTitle": "Double authentification – \(context.tenant.name)",
            "action": "/connexion/verification" + (request.uri.query.map { "?" + $0 } ?? ""),
        ]
        values["error"] = error
        return pages.render("second_factor", values, request: request, tenant: context.tenant, sessionToken: context.sessionToken, status: status)
    }

    private func enrolmentPage(
        _ request: Request, _ context: SecondFactorContext, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values: [String: Any] = [
            "pageTitle": "Double authentification – \(context.tenant.name)",
            "required": context.agent.role.requiresSecondFactor,
        ]
        values["error"] = error
        if context.agent.secondFactorEnabled {
            guard context.secondFactorPassed else { return redirect(to: "/connexion/verification") }
            values["enabled"] = true
        } else {
            let agentID = context.agent.id
            let totp = try await database.tenant(context.tenant).transaction { connection in
                try await services.secondFactor.startEnrolment(agentID: agentID, on: connection)
            }
            let uri = totp.provisioningURI(account: context.agent.email, issuer: "RDV Solidarités \(context.tenant.name)")
            values["qr"] = QRCode(text: uri)?.svg(label: "Code QR à scanner avec votre application d’authentification") ?? ""
            values["secret"] = Base32.encode(totp.secret).enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        }
        return pages.render("enrol_second_factor", values, request: request, tenant: context.tenant, agent: context.agent, sessionToken: context.sessionToken, status: status)
    }
}
