import Hummingbird
import Identity
import Tenancy

/// Attaches the signed-in agent to the request when its session cookie names a live session
/// of this département. A cookie from another département finds nothing here: sessions live
/// in each département's own schema.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    let services: IdentityServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestTarget = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if let token = request.cookies[services.sessionCookieName]?.value, !token.isEmpty, token.count < 100 {
            // A suspension ends every session opened before it.
            let suspendedAt = context.tenant.sessionsValidAfter
            let session = try await context.database.transaction { connection in
                try await SessionStore(connection).agentSession(for: token, openedAfter: suspendedAt)
            }
            if let session {
                context.agent = session.agent
                context.sessionToken = token
                context.secondFactorPassed = session.secondFactorPassed
                context.secondFactorExempt = services.configuration.isDevelopment && session.agent.email.hasSuffix(".demo")
            }
        }
        if let token = request.cookies[services.usagerCookieName]?.value, !token.isEmpty, token.count < 100 {
            let suspendedAt = context.tenant.sessionsValidAfter
            let usager = try await context.database.transaction { connection -> UsagerAccount? in
                guard let (id, _) = try await SessionStore(connection, realm: .usagers).session(for: token, openedAfter: suspendedAt)
                else { return nil }
                return try await UsagerAccountRepository(connection).find(id: id)
            }
            if let usager {
                context.usager = usager
                context.usagerSessionToken = token
            }
        }
        return try await next(request, context)
    }
}
