import Hummingbird
import Logging
import Tenancy

/// Context the server creates for every request, before the gateway has looked at the host.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

/// What the gateway hands to the router of a site once the host is resolved.
public struct SiteContextSource: RequestContextSource {
    public let logger: Logger
    public let site: Site
}

/// Context of a request on the bare base domain (the consortium's landing page).
public struct LandingRequestContext: RequestContext {
    public typealias Source = SiteContextSource
    public var coreContext: CoreRequestContextStorage

    public init(source: SiteContextSource) {
        self.coreContext = .init(source: source)
    }
}

/// Context of a request on a département's host: the tenant is resolved and active.
/// Handlers that need a département take this context, so they cannot run without one.
public struct TenantRequestContext: RequestContext {
    public typealias Source = SiteContextSource
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant

    public init(source: SiteContextSource) {
        guard case .tenant(let tenant) = source.site else {
            preconditionFailure("the gateway only builds a TenantRequestContext for a département's host")
        }
        self.coreContext = .init(source: source)
        self.tenant = tenant
    }
}
