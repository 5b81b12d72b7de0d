import Foundation
import Hummingbird
import Identity
import Tenancy

/// The second factor: the code asked after the password, and enrolment (QR code, confirmation,
/// recovery codes). The same pages serve agents and consortium accounts.
struct SecondFactorRoutes<Context: SecondFactorSite>: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<Context>) {
        group.get("/connexion/verification") { request, context in
            guard context.secondFactorEnabled, !context.secondFactorPassed else { return redirect(to: context.homePath) }
            return challengePage(request, context)
        }
        group.post("/connexion/verification") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard context.secondFactorEnabled, !context.secondFactorPassed else { return redirect(to: context.homePath) }
            let code = fields["code"] ?? ""
            let agentID = context.accountID
            let realm = context.realm
            let key = "second_factor:\(agentID.uuidString)"
            let result = try await context.database.transaction { connection -> (SecretToken?, Int?) in
                let throttle = Throttle(connection, realm: realm)
                if let wait = try await throttle.retryAfter([key]) { return (nil, wait) }
                let factor = services.secondFactor
                let passed = code.count <= 7
                    ? try await factor.check(code: code, agentID: agentID, on: connection, realm: realm)
                    : try await factor.useRecoveryCode(code, agentID: agentID, on: connection, realm: realm)
                let audit = AuditLog(connection, realm: realm)
                guard passed else {
                    try await throttle.recordFailure([key])
                    try await audit.record(.signInFailed, subject: agentID, ip: context.remoteAddress)
                    return (nil, nil)
                }
                try await throttle.reset(key)
                try await audit.record(.signInSucceeded, actor: agentID, subject: agentID, ip: context.remoteAddress)
                let sessions = SessionStore(connection, realm: realm)
                return (try await sessions.promote(token: context.sessionToken, userAgent: request.headers[.userAgent]), nil)
            }
            if let wait = result.1 {
                var response = challengePage(request, context, error: "Trop de codes erronés. Réessayez dans \(SignInRoutes.wait(wait)).", status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            guard let token = result.0 else {
                return challengePage(request, context, error: "Ce code n’est pas valide. Saisissez le code affiché maintenant par votre application.", status: .unauthorized)
            }
            let target = localPath(request.uri.queryParameters["retour"].map(String.init), fallback: context.homePath)
            return redirect(to: target, cookies: [services.cookie(services.sessionCookieName, value: token.value)])
        }

        group.get("/double-authentification") { request, context in
            try await enrolmentPage(request, context)
        }
        group.post("/double-authentification/activation") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard !context.secondFactorEnabled else { return redirect(to: "/double-authentification") }
            let agentID = context.accountID
            let realm = context.realm
            let outcome = try await context.database.transaction { connection -> ([String], SecretToken)? in
                guard let codes = try await services.secondFactor.confirmEnrolment(
                          code: fields["code"] ?? "", agentID: agentID, on: connection, realm: realm
                      ),
                      let token = try await SessionStore(connection, realm: realm)
                          .promote(token: context.sessionToken, userAgent: request.headers[.userAgent])
                else { return nil }
                try await AuditLog(connection, realm: realm).record(.secondFactorEnabled, actor: agentID, subject: agentID, ip: context.remoteAddress)
                return (codes, token)
            }
            guard let (codes, token) = outcome else {
                return try await enrolmentPage(request, context, error: "Ce code ne correspond pas. Scannez de nouveau le code QR puis saisissez le code affiché.", status: .unprocessableContent)
            }
            var response = pages.render("recovery_codes", [
                "pageTitle": "Codes de secours – \(context.siteName)", "codes": codes, "home": context.homePath,
            ], request: request, siteName: context.siteName, navigation: context.navigation, sessionToken: token.value)
            response.setCookie(services.cookie(services.sessionCookieName, value: token.value))
            return response
        }
        group.post("/double-authentification/desactivation") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard context.secondFactorEnabled, context.secondFactorPassed else { return redirect(to: "/double-authentification") }
            guard !context.secondFactorRequired else {
                throw PublicError(.forbidden, title: "Double authentification obligatoire", detail: "Votre rôle exige la double authentification.")
            }
            let agentID = context.accountID
            let realm = context.realm
            let done = try await context.database.transaction { connection -> Bool in
                let factor = services.secondFactor
                guard try await factor.check(code: fields["code"] ?? "", agentID: agentID, on: connection, realm: realm) else { return false }
                try await factor.disable(agentID: agentID, on: connection, realm: realm)
                try await AuditLog(connection, realm: realm).record(.secondFactorDisabled, actor: agentID, subject: agentID, ip: context.remoteAddress)
                return true
            }
            guard done else {
                return try await enrolmentPage(request, context, error: "Ce code n’est pas valide.", status: .unprocessableContent)
            }
            return redirect(to: context.homePath)
        }
    }

    private func challengePage(_ request: Request, _ context: Context, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [
            "pageTitle": "Double authentification – \(context.siteName)",
            "action": "/connexion/verification" + (request.uri.query.map { "?" + $0 } ?? ""),
        ]
        values["error"] = error
        return pages.render("second_factor", values, request: request, siteName: context.siteName, navigation: nil, sessionToken: context.sessionToken, status: status)
    }

    private func enrolmentPage(
        _ request: Request, _ context: Context, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values: [String: Any] = [
            "pageTitle": "Double authentification – \(context.siteName)",
            "required": context.secondFactorRequired,
        ]
        values["error"] = error
        if context.secondFactorEnabled {
            guard context.secondFactorPassed else { return redirect(to: "/connexion/verification") }
            values["enabled"] = true
        } else {
            let agentID = context.accountID
            let realm = context.realm
            let totp = try await context.database.transaction { connection in
                try await services.secondFactor.startEnrolment(agentID: agentID, on: connection, realm: realm)
            }
            let uri = totp.provisioningURI(account: context.accountEmail, issuer: "RDV Solidarités \(context.siteName)")
            values["qr"] = QRCode(text: uri)?.svg(label: "Code QR à scanner avec votre application d’authentification") ?? ""
            values["secret"] = Base32.encode(totp.secret).enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        }
        return pages.render(
            "enrol_second_factor", values, request: request, siteName: context.siteName,
            navigation: context.navigation, sessionToken: context.sessionToken, status: status
        )
    }
}
