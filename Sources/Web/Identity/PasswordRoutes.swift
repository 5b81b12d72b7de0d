import Foundation
import Notifications
import Hummingbird
import Identity
import Tenancy

/// Choosing a password from an invitation or a reset link, and asking for a reset link.
struct PasswordRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on router: Router<TenantRequestContext>) {
        router.get("/invitation/:token") { request, context in
            try await choosePage(.invitation, request, context)
        }
        router.post("/invitation/:token") { request, context in
            try await choose(.invitation, request, context)
        }
        router.get("/reinitialisation/:token") { request, context in
            try await choosePage(.passwordReset, request, context)
        }
        router.post("/reinitialisation/:token") { request, context in
            try await choose(.passwordReset, request, context)
        }
        router.get("/mot-de-passe-oublie") { request, context in
            pages.render("forgot_password", ["pageTitle": "Mot de passe oublié – \(context.tenant.name)"], request: request, tenant: context.tenant)
        }
        router.post("/mot-de-passe-oublie") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            try await requestReset(email: fields["email"] ?? "", context: context)
            // The same answer whether the address has an account or not.
            return pages.render("forgot_password", [
                "pageTitle": "Mot de passe oublié – \(context.tenant.name)",
                "notice": "Si un compte existe pour cette adresse, un lien de réinitialisation vient d’y être envoyé. Il est valable une heure.",
            ], request: request, tenant: context.tenant)
        }
    }

    private static let invalidLink = PublicError(
        .notFound, title: "Lien invalide ou expiré",
        detail: "Ce lien a déjà servi, a expiré ou n’existe pas. Demandez-en un nouveau à votre administrateur ou depuis « Mot de passe oublié »."
    )

    private func agentForToken(_ purpose: OneTimeTokens.Purpose, _ token: String, _ context: TenantRequestContext) async throws -> Agent {
        let agent = try await context.database.transaction { connection -> Agent? in
            guard let id = try await OneTimeTokens(connection).peek(purpose, token: token) else { return nil }
            return try await AgentRepository(connection).find(id: id)
        }
        guard let agent, !agent.disabled else { throw Self.invalidLink }
        return agent
    }

    private func choosePage(
        _ purpose: OneTimeTokens.Purpose, _ request: Request, _ context: TenantRequestContext,
        errors: [String] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let agent = try await agentForToken(purpose, token, context)
        return pages.render("choose_password", [
            "pageTitle": "Choisir un mot de passe – \(context.tenant.name)",
            "invitation": purpose == .invitation,
            "firstName": agent.firstName,
            "email": agent.email,
            "action": request.uri.path,
            "errors": errors,
            "minimum": PasswordPolicy.minimumLength,
        ], request: request, tenant: context.tenant, status: status)
    }

    private func choose(_ purpose: OneTimeTokens.Purpose, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
        let token = context.parameters.get("token") ?? ""
        let agent = try await agentForToken(purpose, token, context)
        let password = fields["password"] ?? ""
        var problems = services.policy.problems(with: password, email: agent.email, names: [agent.firstName, agent.lastName])
        if password != fields["confirmation"] { problems.append("Les deux mots de passe saisis sont différents.") }
        guard problems.isEmpty else {
            return try await choosePage(purpose, request, context, errors: problems, status: .unprocessableContent)
        }
        let hash = try await services.hasher.hash(password)
        let session = try await context.database.transaction { connection -> SecretToken? in
            // Consumed in the same transaction as the password change: a token works once, even under a race.
            guard try await OneTimeTokens(connection).consume(purpose, token: token) == agent.id else { return nil }
            try await AgentRepository(connection).setPassword(hash: hash, for: agent.id)
            let sessions = SessionStore(connection)
            try await sessions.endAll(agentID: agent.id)
            let audit = AuditLog(connection)
            try await audit.record(purpose == .invitation ? .invitationAccepted : .passwordReset, actor: agent.id, subject: agent.id, ip: context.remoteAddress)
            // An invited agent goes straight in; after a reset, every device signs in again.
            guard purpose == .invitation else { return SecretToken(value: "") }
            try await audit.record(.signInSucceeded, actor: agent.id, subject: agent.id, ip: context.remoteAddress)
            return try await sessions.create(agentID: agent.id, userAgent: request.headers[.userAgent])
        }
        guard let session else { throw Self.invalidLink }
        if purpose == .invitation {
            return redirect(to: "/agent", cookies: [services.cookie(services.sessionCookieName, value: session.value)])
        }
        return pages.render("sign_in", [
            "pageTitle": "Connexion – \(context.tenant.name)",
            "notice": "Votre mot de passe a été changé. Connectez-vous avec le nouveau ; vos autres sessions ont été fermées.",
            "email": agent.email,
        ], request: request, tenant: context.tenant)
    }

    private func requestReset(email rawEmail: String, context: TenantRequestContext) async throws {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let link = services.configuration.publicURL(slug: context.tenant.slug)
        let tenantName = context.tenant.name
        try await context.database.transaction { connection in
            let throttle = Throttle(connection)
            let keys = ["reset:account:\(email)", "reset:ip:\(context.remoteAddress ?? "-")"]
            guard try await throttle.retryAfter(keys) == nil else { return }
            // Each request counts, so a flood of requests cannot flood a mailbox.
            try await throttle.recordFailure(keys)
            guard let agent = try await AgentRepository(connection).find(email: email), !agent.disabled else { return }
            let token = try await OneTimeTokens(connection).issue(.passwordReset, for: agent.id)
            try await MessageQueue(connection).enqueueEmail(
                to: agent.email,
                subject: "Réinitialisation de votre mot de passe – RDV Solidarités \(tenantName)",
                body: """
                    Bonjour \(agent.firstName),

                    Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :
                    \(link)/reinitialisation/\(token.value)

                    Si vous n’avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.
                    """
            )
            try await AuditLog(connection).record(.passwordResetRequested, subject: agent.id, ip: context.remoteAddress)
        }
    }
}
