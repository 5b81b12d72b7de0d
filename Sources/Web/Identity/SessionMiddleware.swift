import Hummingbird
import Identity
import Tenancy

/// Attaches the signed-in agent to the request when its session cookie names a live session
/// of this département. A cookie from another département finds nothing here: sessions live
/// in each département's own schema.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    let database: Database
    let services: IdentityServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestTarget = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if let token = request.cookies[services.sessionCookieName]?.value, !token.isEmpty, token.count < 100 {
            let agent = try await database.tenant(context.tenant).transaction { connection in
                try await SessionStore(connection).agent(for: token)
            }
            if let agent {
                context.agent = agent
                context.sessionToken = token
            }
        }
        return try await next(request, context)
    }
}
