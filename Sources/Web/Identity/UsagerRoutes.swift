import Foundation
import Notifications
import Hummingbird
import Identity
import Tenancy

/// Accounts of usagers: sign-up with email confirmation, sign-in, sign-out, password reset,
/// and the usager space's home. Booking needs none of it; it is there for those who want it.
struct UsagerRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(tenant router: Router<TenantRequestContext>, usager group: RouterGroup<UsagerRequestContext>) {
        UsagerSpaceRoutes(services: services, pages: pages, forms: forms).register(on: group)
        group.post("/mon-compte/deconnexion") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await context.database.transaction { connection in
                try await SessionStore(connection, realm: .usagers).end(token: context.sessionToken)
                try await AuditLog(connection, realm: .usagers).record(.signedOut, actor: context.usager.id, subject: context.usager.id, ip: context.remoteAddress)
            }
            return redirect(to: "/", cookies: [services.expiredCookie(services.usagerCookieName)])
        }

        router.get("/mon-compte/connexion") { request, context in
            if context.usager != nil { return redirect(to: "/mon-compte") }
            return signInForm(request, context, values: ["retour": request.uri.queryParameters["retour"].map(String.init) ?? ""])
        }
        router.post("/mon-compte/connexion") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            let outcome = try await services.signIn.signIn(
                email: fields["email"] ?? "", password: fields["password"] ?? "", ip: context.remoteAddress,
                userAgent: request.headers[.userAgent], in: context.database, realm: .usagers
            )
            let signIn = SignInRoutes(services: services, pages: pages, forms: forms)
            return signIn.answer(
                outcome, fields: fields, home: "/mon-compte", hint: ", ou réinitialisez votre mot de passe",
                cookieName: services.usagerCookieName
            ) { values, status in
                signInForm(request, context, values: values, status: status)
            } requiresSecondFactor: { _ in false }
        }

        router.get("/mon-compte/inscription") { request, context in
            signUpForm(request, context, values: [:])
        }
        router.post("/mon-compte/inscription") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            return try await signUp(fields, request, context)
        }
        router.get("/mon-compte/confirmation/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            let session = try await context.database.transaction { connection -> SecretToken? in
                guard let id = try await OneTimeTokens(connection, realm: .usagers).consume(.emailConfirmation, token: token) else { return nil }
                try await UsagerAccountRepository(connection).confirm(id: id)
                try await AuditLog(connection, realm: .usagers).record(.signInSucceeded, actor: id, subject: id, ip: context.remoteAddress)
                return try await SessionStore(connection, realm: .usagers).create(agentID: id, userAgent: request.headers[.userAgent])
            }
            guard let session else { throw Self.invalidLink }
            return redirect(to: "/mon-compte", cookies: [services.cookie(services.usagerCookieName, value: session.value)])
        }

        router.get("/mon-compte/mot-de-passe-oublie") { request, context in
            pages.render("forgot_password", forgotValues(context), request: request, tenant: context.tenant)
        }
        router.post("/mon-compte/mot-de-passe-oublie") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
            try await requestReset(email: fields["email"] ?? "", context: context)
            var values = forgotValues(context)
            values["notice"] = "Si un compte existe pour cette adresse, un lien de réinitialisation vient d’y être envoyé. Il est valable une heure."
            return pages.render("forgot_password", values, request: request, tenant: context.tenant)
        }
        router.get("/mon-compte/reinitialisation/:token") { request, context in
            try await resetPage(request, context)
        }
        router.post("/mon-compte/reinitialisation/:token") { request, context in
            try await reset(request, context)
        }
    }

    static let invalidLink = PublicError(
        .notFound, title: "Lien invalide ou expiré",
        detail: "Ce lien a déjà servi, a expiré ou n’existe pas. Vous pouvez en demander un nouveau depuis « Mot de passe oublié »."
    )

    private func signInForm(_ request: Request, _ context: TenantRequestContext, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var all = values
        all["pageTitle"] = "Connexion à mon espace – \(context.tenant.name)"
        return pages.render("usager_sign_in", all, request: request, tenant: context.tenant, status: status)
    }

    private func signUpForm(_ request: Request, _ context: TenantRequestContext, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var all = values
        all["pageTitle"] = "Créer mon compte – \(context.tenant.name)"
        all["minimum"] = PasswordPolicy.minimumLength
        return pages.render("usager_sign_up", all, request: request, tenant: context.tenant, status: status)
    }

    private func forgotValues(_ context: TenantRequestContext) -> [String: Any] {
        ["pageTitle": "Mot de passe oublié – \(context.tenant.name)", "action": "/mon-compte/mot-de-passe-oublie", "back": "/mon-compte/connexion"]
    }

    /// The same answer whether the address is new or not; the mailbox's owner learns which.
    private func signUp(_ fields: [String: String], _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let firstName = (fields["first_name"] ?? "").trimmingCharacters(in: .whitespaces)
        let lastName = (fields["last_name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        var errors: [String] = []
        if !TenantFile.isPlausibleEmail(email) { errors.append("L’adresse électronique n’est pas valide.") }
        if firstName.isEmpty || firstName.storedLength > 100 { errors.append("Le prénom est obligatoire (100 caractères au plus).") }
        if lastName.isEmpty || lastName.storedLength > 100 { errors.append("Le nom est obligatoire (100 caractères au plus).") }
        errors += services.policy.problems(with: password, email: email, names: [firstName, lastName])
        if password != fields["confirmation"] { errors.append("Les deux mots de passe saisis sont différents.") }
        guard errors.isEmpty else {
            var kept = fields
            kept["password"] = nil
            kept["confirmation"] = nil
            return signUpForm(request, context, values: ["errors": errors, "form": kept], status: .unprocessableContent)
        }
        let hash = try await services.hasher.hash(password)
        let link = services.configuration.publicURL(slug: context.tenant.slug)
        let tenantName = context.tenant.name
        let limited = try await context.database.transaction { connection -> Bool in
            let throttle = Throttle(connection, realm: .usagers)
            let keys = ["sign_up:email:\(email)", "sign_up:ip:\(context.remoteAddress ?? "-")"]
            guard try await throttle.retryAfter(keys) == nil else { return true }
            try await throttle.recordFailure(keys)
            let outbox = MessageQueue(connection)
            if let account = try await UsagerAccountRepository(connection).create(email: email, firstName: firstName, lastName: lastName, passwordHash: hash) {
                let token = try await OneTimeTokens(connection, realm: .usagers).issue(.emailConfirmation, for: account.id)
                try await outbox.enqueueEmail(
                    to: email, subject: "Confirmez votre adresse – RDV Solidarités \(tenantName)",
                    body: """
                        Bonjour \(firstName),

                        Pour activer votre compte, ouvrez ce lien (valable 24 heures) :
                        \(link)/mon-compte/confirmation/\(token.value)

                        Si vous n’avez pas créé de compte, ignorez ce message.
                        """
                )
            } else {
                try await outbox.enqueueEmail(
                    to: email, subject: "Vous avez déjà un compte – RDV Solidarités \(tenantName)",
                    body: """
                        Bonjour,

                        Quelqu’un (vous, peut-être) a voulu créer un compte avec cette adresse, qui en a déjà un.
                        Connectez-vous : \(link)/mon-compte/connexion
                        Mot de passe oublié : \(link)/mon-compte/mot-de-passe-oublie
                        """
                )
            }
            return false
        }
        if limited {
            return signUpForm(request, context, values: ["errors": ["Trop de demandes depuis cette adresse. Réessayez plus tard."]], status: .tooManyRequests)
        }
        return signUpForm(request, context, values: [
            "notice": "Un message vient d’être envoyé à \(email). Ouvrez le lien qu’il contient pour activer votre compte.",
        ])
    }

    private func requestReset(email rawEmail: String, context: TenantRequestContext) async throws {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let link = services.configuration.publicURL(slug: context.tenant.slug)
        let tenantName = context.tenant.name
        try await context.database.transaction { connection in
            let throttle = Throttle(connection, realm: .usagers)
            let keys = ["reset:account:\(email)", "reset:ip:\(context.remoteAddress ?? "-")"]
            guard try await throttle.retryAfter(keys) == nil else { return }
            try await throttle.recordFailure(keys)
            guard let account = try await UsagerAccountRepository(connection).find(email: email) else { return }
            let token = try await OneTimeTokens(connection, realm: .usagers).issue(.passwordReset, for: account.id)
            try await MessageQueue(connection).enqueueEmail(
                to: account.email, subject: "Réinitialisation de votre mot de passe – RDV Solidarités \(tenantName)",
                body: """
                    Bonjour \(account.firstName),

                    Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :
                    \(link)/mon-compte/reinitialisation/\(token.value)

                    Si vous n’avez rien demandé, ignorez ce message.
                    """
            )
            try await AuditLog(connection, realm: .usagers).record(.passwordResetRequested, subject: account.id, ip: context.remoteAddress)
        }
    }

    private func account(for token: String, _ context: TenantRequestContext) async throws -> UsagerAccount {
        let account = try await context.database.transaction { connection -> UsagerAccount? in
            guard let id = try await OneTimeTokens(connection, realm: .usagers).peek(.passwordReset, token: token) else { return nil }
            return try await UsagerAccountRepository(connection).find(id: id)
        }
        guard let account else { throw Self.invalidLink }
        return account
    }

    private func resetPage(_ request: Request, _ context: TenantRequestContext, errors: [String] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let account = try await account(for: context.parameters.get("token") ?? "", context)
        return pages.render("choose_password", [
            "pageTitle": "Nouveau mot de passe – \(context.tenant.name)", "invitation": false, "email": account.email,
            "action": request.uri.path, "errors": errors, "minimum": PasswordPolicy.minimumLength,
        ], request: request, tenant: context.tenant, status: status)
    }

    private func reset(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let fields = try await forms.verifiedFields(of: request, sessionToken: nil)
        let token = context.parameters.get("token") ?? ""
        let account = try await account(for: token, context)
        let password = fields["password"] ?? ""
        var problems = services.policy.problems(with: password, email: account.email, names: [account.firstName, account.lastName])
        if password != fields["confirmation"] { problems.append("Les deux mots de passe saisis sont différents.") }
        guard problems.isEmpty else { return try await resetPage(request, context, errors: problems, status: .unprocessableContent) }
        let hash = try await services.hasher.hash(password)
        let done = try await context.database.transaction { connection -> Bool in
            guard try await OneTimeTokens(connection, realm: .usagers).consume(.passwordReset, token: token) == account.id else { return false }
            let accounts = UsagerAccountRepository(connection)
            try await accounts.setPassword(hash: hash, for: account.id)
            // The link proved the mailbox: an unconfirmed account is confirmed too.
            try await accounts.confirm(id: account.id)
            try await SessionStore(connection, realm: .usagers).endAll(agentID: account.id)
            try await AuditLog(connection, realm: .usagers).record(.passwordReset, actor: account.id, subject: account.id, ip: context.remoteAddress)
            return true
        }
        guard done else { throw Self.invalidLink }
        return signInForm(request, context, values: [
            "notice": "Votre mot de passe a été changé. Connectez-vous avec le nouveau.", "email": account.email,
        ])
    }
}
