import Hummingbird
import Identity
import Logging
import Tenancy

/// Context the server creates for every request, before the gateway has looked at the host.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// What the gateway hands to the router of a site once the host is resolved.
public struct SiteContextSource: RequestContextSource {
    public let logger: Logger
    public let site: Site
    /// The client's address, for throttling and the audit trail (never for logs).
    public let remoteAddress: String?
    /// The only database a handler of this site can reach: the département's own on its host,
    /// schema `shared` on the consortium's hosts, nothing on the landing page.
    let access: SiteDatabaseAccess
}

/// What the gateway opens to a site, chosen from the host before any handler runs.
enum SiteDatabaseAccess: Sendable {
    case none
    case tenant(TenantDatabase)
    case shared(SharedDatabase)
}

/// Context of a request on the bare base domain (the consortium's landing page).
public struct LandingRequestContext: RequestContext {
    public typealias Source = SiteContextSource
    public var coreContext: CoreRequestContextStorage
    /// Schema `shared`, for the public statistics: the consortium's anonymous totals only.
    public let database: SharedDatabase?

    public init(source: SiteContextSource) {
        self.coreContext = .init(source: source)
        if case .shared(let database) = source.access { self.database = database } else { self.database = nil }
    }
}

/// Context of a request on a département's host: the tenant is resolved and active.
/// Handlers that need a département take this context, so they cannot run without one.
public struct TenantRequestContext: RequestContext {
    public typealias Source = SiteContextSource
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    /// This département's database, confined to its schema and role: the one handle handlers use.
    public let database: TenantDatabase
    public let remoteAddress: String?
    /// Set by the session middleware when a live session of this département came with the request.
    public var agent: Agent?
    public var sessionToken: String?
    /// Whether this session has passed the second factor.
    public var secondFactorPassed = false
    /// Demo accounts in development may skip the second factor their role requires.
    public var secondFactorExempt = false
    /// Set when a live usager session (a separate cookie) came with the request.
    public var usager: UsagerAccount?
    public var usagerSessionToken: String?
    /// Path and query of the request, to come back to after signing in.
    public var requestTarget = "/"
    /// Set by the API middleware when the call's Bearer token is live here.
    public var apiCaller: APICaller?

    public init(source: SiteContextSource) {
        guard case .tenant(let tenant) = source.site, case .tenant(let database) = source.access else {
            preconditionFailure("the gateway only builds a TenantRequestContext for a département's host")
        }
        self.coreContext = .init(source: source)
        self.tenant = tenant
        self.database = database
        self.remoteAddress = source.remoteAddress
    }
}

/// Context of a request by a signed-in agent. Routes that need an agent take this context,
/// so they cannot be reached without one: building it fails with `SignInRequired`.
public struct AgentRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: TenantDatabase
    public let agent: Agent
    public let sessionToken: String
    public let remoteAddress: String?

    public init(context: TenantRequestContext) throws {
        guard let agent = context.agent, let token = context.sessionToken else {
            throw SignInRequired(returnTo: context.requestTarget)
        }
        if agent.secondFactorEnabled, !context.secondFactorPassed {
            throw SecondFactorRequired(step: .challenge)
        }
        if agent.role.requiresSecondFactor, !agent.secondFactorEnabled, !context.secondFactorExempt {
            throw SecondFactorRequired(step: .enrolment)
        }
        self.coreContext = context.coreContext
        self.tenant = context.tenant
        self.database = context.database
        self.agent = agent
        self.sessionToken = token
        self.remoteAddress = context.remoteAddress
        self.logger[metadataKey: "agent_id"] = .string(agent.id.uuidString)
    }

    /// Goes on only if the signed-in agent may do `action`; otherwise the page is forbidden.
    public func require(_ action: Action) throws {
        guard Policy.can(agent.actor, action) else { throw PublicError.forbidden }
    }
}

/// Thrown when a page needs a signed-in agent and the request has none.
public struct SignInRequired: Error, Sendable {
    public let returnTo: String
}

/// Context of the second-factor pages: a session exists, whether or not it passed the second factor.
public struct SecondFactorContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: TenantDatabase
    public let agent: Agent
    public let sessionToken: String
    public let secondFactorPassed: Bool
    public let remoteAddress: String?

    public init(context: TenantRequestContext) throws {
        guard let agent = context.agent, let token = context.sessionToken else {
            throw SignInRequired(returnTo: context.requestTarget)
        }
        self.coreContext = context.coreContext
        self.tenant = context.tenant
        self.database = context.database
        self.agent = agent
        self.sessionToken = token
        self.secondFactorPassed = context.secondFactorPassed
        self.remoteAddress = context.remoteAddress
    }
}

/// Thrown when the session must pass (or the agent must set up) a second factor first.
public struct SecondFactorRequired: Error, Sendable {
    public enum Step: Sendable {
        case challenge
        case enrolment
    }

    public let step: Step

    var path: String { step == .challenge ? "/connexion/verification" : "/double-authentification" }
}

/// Context of a request by a signed-in usager.
public struct UsagerRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: TenantDatabase
    public let usager: UsagerAccount
    public let sessionToken: String
    public let remoteAddress: String?

    public init(context: TenantRequestContext) throws {
        guard let usager = context.usager, let token = context.usagerSessionToken else {
            throw UsagerSignInRequired(returnTo: context.requestTarget)
        }
        self.coreContext = context.coreContext
        self.tenant = context.tenant
        self.database = context.database
        self.usager = usager
        self.sessionToken = token
        self.remoteAddress = context.remoteAddress
    }
}

/// Thrown when a page of the usager space is asked without a usager session.
public struct UsagerSignInRequired: Error, Sendable {
    public let returnTo: String
}
