import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Logging
import Tenancy

/// Context of an API call whose Bearer token is live on this département: the token and its
/// agent, whose permissions and role the call has, exactly.
public struct APIRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: TenantDatabase
    public let agent: Agent
    public let token: APIToken
    public let remoteAddress: String?

    public init(context: TenantRequestContext) throws {
        guard let caller = context.apiCaller else { throw APIProblem.unauthorized }
        self.coreContext = context.coreContext
        self.tenant = context.tenant
        self.database = context.database
        self.agent = caller.agent
        self.token = caller.token
        self.remoteAddress = context.remoteAddress
        self.logger[metadataKey: "agent_id"] = .string(caller.agent.id.uuidString)
        self.logger[metadataKey: "api_token_id"] = .string(caller.token.id.uuidString)
    }
}

/// What the API middleware found behind the Bearer token.
public struct APICaller: Sendable {
    public let token: APIToken
    public let agent: Agent
}

/// Authenticates each API call, enforces the token's scope and rate limit, renders every
/// refusal as problem+json, and writes the call to the trail (token, route, status).
struct APIMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    let rateLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.bearer(request) else { return APIProblem.unauthorized.response(request) }
        let now = Date()
        let found = try await context.database.transaction { connection -> (APICaller, Int)? in
            guard let (token, agent) = try await APITokenRepository(connection).authenticate(secret, now: now) else { return nil }
            return (APICaller(token: token, agent: agent), try await APICallLog(connection).countThisMinute(tokenID: token.id, now: now))
        }
        guard let (caller, used) = found else { return APIProblem.unauthorized.response(request) }
        let reset = 60 - Int(now.timeIntervalSince1970) % 60
        var response: Response
        if used >= rateLimit {
            response = APIProblem.tooManyRequests(retryAfter: reset).response(request)
        } else if !Self.allows(caller.token.scopes, request.method) {
            response = APIProblem.scope.response(request)
        } else {
            var context = context
            context.apiCaller = caller
            do {
                response = try await next(request, context)
            } catch {
                response = APIProblem(error, logger: context.logger).response(request)
            }
        }
        response.headers[.rateLimitLimit] = String(rateLimit)
        response.headers[.rateLimitRemaining] = String(max(0, rateLimit - used - 1))
        response.headers[.rateLimitReset] = String(reset)
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        let route = context.endpointPath ?? "?"
        let status = Int(response.status.code)
        try await context.database.transaction { connection in
            try await APICallLog(connection).record(
                tokenID: caller.token.id, method: request.method.rawValue, route: route, status: status, ip: context.remoteAddress
            )
        }
        return response
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count < 200 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// Reading takes `read` or `write`; changing anything takes `write`.
    static func allows(_ scopes: Set<APIScope>, _ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head ? !scopes.isEmpty : scopes.contains(.write)
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let link = HTTPField.Name("Link")!
}
