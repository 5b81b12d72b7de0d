import HTTPTypes
import Hummingbird
import Logging
import Tenancy

/// The outermost responder: resolves the `Host` header against the registry before any
/// other code runs, then hands the request to the router of that kind of site.
/// It is the only part of the web layer that holds the `Database`: each site gets just its own
/// handle in its request context (a département's `TenantDatabase`, or schema `shared`).
struct Gateway: HTTPResponder {
    typealias Context = GatewayRequestContext

    let database: Database
    let directory: TenantDirectory
    let landing: RouterResponder<LandingRequestContext>
    let tenant: RouterResponder<TenantRequestContext>
    let consortium: RouterResponder<ConsortiumRequestContext>
    let health: HealthCheck
    let renderer: ErrorRenderer
    let securityHeaders: SecurityHeaders
    let publicScheme: String
    let publicPort: Int?
    let trustedProxies: TrustedProxies
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    func respond(to request: Request, context: GatewayRequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await route(request, context: context)
        } catch where error.isDatabaseUnavailable {
            logDatabaseUnavailable(error, context.logger)
            response = renderer.response(for: .databaseUnavailable, request: request)
        } catch {
            context.logger.error("unexpected error in gateway", metadata: errorMetadata(error))
            response = renderer.response(for: .internalError, request: request)
        }
        securityHeaders.apply(to: &response)
        return response
    }

    private func route(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let host = request.head.authority ?? ""
        let site = directory.resolve(host: host)
        var logger = context.logger
        // Behind a trusted proxy, the client is who the proxy says; from anywhere else, the peer.
        let remoteAddress = trustedProxies.client(peer: context.remoteAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        if let redirect = secureRedirect(request, site: site, peer: context.remoteAddress) { return redirect }
        switch site {
        case .landing:
            // The landing page reads the consortium's public totals, and nothing of any département.
            return try await landing.respond(to: request, context: .init(source: .init(logger: logger, site: site, remoteAddress: remoteAddress, access: .shared(database.shared))))
        case .tenant(let tenant) where tenant.status.isServed:
            logger[metadataKey: "tenant"] = .string(tenant.slug)
            let source = SiteContextSource(logger: logger, site: site, remoteAddress: remoteAddress, access: .tenant(database.tenant(tenant)))
            return try await self.tenant.respond(to: request, context: .init(source: source))
        case _ where request.uri.path == "/healthz":
            // Load balancers probe whatever host they like; health is the platform's, not a site's.
            return await health.response()
        case .tenant(let tenant):
            return renderer.response(for: tenant.status == .provisioning ? .opening : .suspended, request: request)
        case .wwwAlias:
            let port = host.firstIndex(of: ":").map { String(host[$0...]) } ?? ""
            let target = "\(publicScheme)://\(directory.baseDomain)\(port)\(request.uri.path)"
            return Response(status: .movedPermanently, headers: [.location: target])
        case .console, .stats:
            let source = SiteContextSource(logger: logger, site: site, remoteAddress: remoteAddress, access: .shared(database.shared))
            return try await consortium.respond(to: request, context: .init(source: source))
        case .reserved, .unknown:
            return renderer.response(for: .unknownHost, request: request)
        }
    }
}

extension Gateway {
    /// Where the platform is served over https and a trusted proxy says it received this request
    /// in clear, the only answer is the same address over https (308 keeps the method): links,
    /// `__Host-` cookies and HSTS all assume https. Health stays answerable for probes, an
    /// unknown host is never redirected, and a header from anywhere but a trusted proxy is ignored.
    func secureRedirect(_ request: Request, site: Site, peer: String?) -> Response? {
        guard publicScheme == "https", request.uri.path != "/healthz",
              request.headers[Self.forwardedProto]?.split(separator: ",").first.map({ $0.filter { $0 != " " }.lowercased() }) == "http",
              let peer, trustedProxies.contains(peer) else { return nil }
        switch site {
        case .reserved, .unknown: return nil
        default: break
        }
        let authority = request.head.authority ?? ""
        let hostname = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }) + "]" : String(authority.prefix { $0 != ":" })
        let port = publicPort.map { ":\($0)" } ?? ""
        return Response(status: .permanentRedirect, headers: [.location: "https://\(hostname)\(port)\(request.uri)", .cacheControl: "no-store"])
    }
}

/// `GET /healthz`: 200 when PostgreSQL answers, 503 otherwise.
struct HealthCheck: Sendable {
    let database: Database

    func response() async -> Response {
        let up = await database.isReachable()
        return Response(
            status: up ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: up ? #"{"status":"ok"}"# : #"{"status":"unavailable"}"#))
        )
    }
}
