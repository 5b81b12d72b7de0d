import Foundation
import Hummingbird
import Identity
import Tenancy

/// Context of a request on `console.` (operators) or `stats.` (steering committee).
public struct ConsortiumRequestContext: RequestContext {
    public typealias Source = SiteContextSource
    public var coreContext: CoreRequestContextStorage
    /// The only role that may sign in on this host.
    public let space: ConsortiumRole
    /// Schema `shared` as the application role: the consortium's pages reach no département.
    public let database: SharedDatabase
    public let remoteAddress: String?
    public var account: ConsortiumAccount?
    public var sessionToken: String?
    public var secondFactorPassed = false
    public var secondFactorExempt = false
    public var requestTarget = "/"

    public init(source: SiteContextSource) {
        switch source.site {
        case .console: space = .operator_
        case .stats: space = .steering
        default: preconditionFailure("the gateway only builds a ConsortiumRequestContext for console. and stats.")
        }
        guard case .shared(let database) = source.access else {
            preconditionFailure("the gateway opens schema shared to the consortium's hosts")
        }
        self.database = database
        self.coreContext = .init(source: source)
        self.remoteAddress = source.remoteAddress
    }

    var realm: AccountRealm { .consortium(space) }

    var spaceName: String { space == .operator_ ? "Console du consortium" : "Pilotage du consortium" }
}

/// A signed-in consortium member who has passed what the role requires.
public struct ConsortiumMemberContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let account: ConsortiumAccount
    public let database: SharedDatabase
    public let sessionToken: String
    public let remoteAddress: String?
    let spaceName: String
    let realm: AccountRealm

    public init(context: ConsortiumRequestContext) throws {
        guard let account = context.account, let token = context.sessionToken else {
            throw SignInRequired(returnTo: context.requestTarget)
        }
        if account.secondFactorEnabled, !context.secondFactorPassed { throw SecondFactorRequired(step: .challenge) }
        if account.role.requiresSecondFactor, !account.secondFactorEnabled, !context.secondFactorExempt {
            throw SecondFactorRequired(step: .enrolment)
        }
        self.coreContext = context.coreContext
        self.database = context.database
        self.account = account
        self.sessionToken = token
        self.remoteAddress = context.remoteAddress
        self.spaceName = context.spaceName
        self.realm = context.realm
        self.logger[metadataKey: "account_id"] = .string(account.id.uuidString)
    }
}

/// A consortium session at any second-factor stage, for the second-factor pages.
public struct ConsortiumSecondFactorContext: ChildRequestContext, SecondFactorSite {
    public var coreContext: CoreRequestContextStorage
    let account: ConsortiumAccount
    public let database: SharedDatabase
    public let sessionToken: String
    public let secondFactorPassed: Bool
    public let remoteAddress: String?
    let siteName: String
    let realm: AccountRealm

    public init(context: ConsortiumRequestContext) throws {
        guard let account = context.account, let token = context.sessionToken else {
            throw SignInRequired(returnTo: context.requestTarget)
        }
        self.coreContext = context.coreContext
        self.database = context.database
        self.account = account
        self.sessionToken = token
        self.secondFactorPassed = context.secondFactorPassed
        self.remoteAddress = context.remoteAddress
        self.siteName = context.spaceName
        self.realm = context.realm
    }

    var accountID: UUID { account.id }
    var accountEmail: String { account.email }
    var accountName: String { account.fullName }
    var secondFactorEnabled: Bool { account.secondFactorEnabled }
    var secondFactorRequired: Bool { account.role.requiresSecondFactor }
    var homePath: String { "/" }
    var navigation: TenantPages.Navigation { .init(home: "/", homeLabel: "Accueil", accountName: account.fullName, accountLink: nil) }

}
