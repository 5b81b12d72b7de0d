import Agenda
import Foundation
import Hummingbird
import Identity
import Notifications
import Tenancy

/// "My account": change password, list and close sessions, sign out everywhere, calendar feed.
struct AccountRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/compte") { request, context in
            try await accountPage(request, context)
        }
        group.post("/compte/mot-de-passe") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let agent = context.agent
            guard let current = agent.passwordHash, await services.hasher.verify(fields["current"] ?? "", against: current) else {
                return try await accountPage(request, context, values: ["errors": ["Le mot de passe actuel est incorrect."]], status: .unprocessableContent)
            }
            let password = fields["password"] ?? ""
            var problems = services.policy.problems(with: password, email: agent.email, names: [agent.firstName, agent.lastName])
            if password != fields["confirmation"] { problems.append("Les deux mots de passe saisis sont différents.") }
            guard problems.isEmpty else {
                return try await accountPage(request, context, values: ["errors": problems], status: .unprocessableContent)
            }
            let hash = try await services.hasher.hash(password)
            let token = try await context.database.transaction { connection in
                try await AgentRepository(connection).setPassword(hash: hash, for: agent.id)
                let sessions = SessionStore(connection)
                // Other devices sign in again; this one gets a fresh session token.
                try await sessions.endAll(agentID: agent.id)
                try await AuditLog(connection).record(.passwordChanged, actor: agent.id, subject: agent.id, ip: context.remoteAddress)
                return try await sessions.create(agentID: agent.id, userAgent: request.headers[.userAgent])
            }
            return redirect(to: "/compte?modifie=1", cookies: [services.cookie(services.sessionCookieName, value: token.value)])
        }
        group.post("/compte/sessions/:handle/fermer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let handle = context.parameters.get("handle") ?? ""
            try await context.database.transaction { connection in
                try await SessionStore(connection).end(handle: handle, agentID: context.agent.id)
                try await AuditLog(connection).record(.sessionRevoked, actor: context.agent.id, subject: context.agent.id, ip: context.remoteAddress)
            }
            return redirect(to: "/compte")
        }
        group.post("/compte/avis") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let agentID = context.agent.id, on = fields["avis"] == "on"
            try await context.database.transaction { connection in
                try await AgentRepository(connection).setNotifiesOnlineChanges(on, for: agentID)
            }
            return try await accountPage(request, context, values: ["notice": on ? "Vous recevrez un courriel à chaque changement fait en ligne." : "Vous ne recevrez plus ces courriels."])
        }
        group.post("/compte/deconnexion-partout") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await context.database.transaction { connection in
                try await SessionStore(connection).endAll(agentID: context.agent.id)
                try await AuditLog(connection).record(.signedOutEverywhere, actor: context.agent.id, subject: context.agent.id, ip: context.remoteAddress)
            }
            return redirect(to: "/connexion", cookies: [services.expiredCookie(services.sessionCookieName)])
        }
        registerCalendarFeed(on: group)
    }

    func accountPage(
        _ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let agentID = context.agent.id
        let (sessions, notices, feed) = try await context.database.transaction { connection in
            (
                try await SessionStore(connection).list(agentID: agentID), try await AgentRepository(connection).notifiesOnlineChanges(agentID),
                try await CalendarFeedRepository(connection).state(of: agentID)
            )
        }
        let current = SessionStore.handle(of: context.sessionToken)
        let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        var all = Self.calendarFeedValues(feed, formatter).merging(values) { $1 }
        all["pageTitle"] = "Mon compte – \(context.tenant.name)"
        all["fullName"] = context.agent.fullName
        all["email"] = context.agent.email
        all["role"] = context.agent.role.frenchName
        all["secondFactor"] = context.agent.secondFactorEnabled
        all["minimum"] = PasswordPolicy.minimumLength
        all["onlineNotices"] = notices
        if request.uri.queryParameters["modifie"] != nil { all["notice"] = "Votre mot de passe a été changé ; vos autres sessions ont été fermées." }
        all["sessions"] = sessions.map { session in
            [
                "handle": session.handle,
                "current": session.handle == current,
                "created": formatter.string(from: session.createdAt),
                "seen": formatter.string(from: session.lastSeenAt),
                "device": session.userAgent ?? "Appareil inconnu",
            ] as [String: Any]
        }
        return pages.render("account", all, request: request, context: context, status: status)
    }
}
