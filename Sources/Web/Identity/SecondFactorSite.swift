import Foundation
import Hummingbird
import Identity
import Tenancy

/// A request with a session, whatever its second-factor state, on a département or a
/// consortium host: what the second-factor pages need to know.
protocol SecondFactorSite: RequestContext {
    associatedtype SiteDatabase: TransactionalDatabase
    var realm: AccountRealm { get }
    var siteName: String { get }
    var accountID: UUID { get }
    var accountEmail: String { get }
    var accountName: String { get }
    var secondFactorEnabled: Bool { get }
    var secondFactorRequired: Bool { get }
    var secondFactorPassed: Bool { get }
    var sessionToken: String { get }
    var remoteAddress: String? { get }
    /// Where a signed-in person lands.
    var homePath: String { get }
    var navigation: TenantPages.Navigation { get }
    /// The one database this site's pages reach.
    var database: SiteDatabase { get }
}

extension SecondFactorContext: SecondFactorSite {
    var realm: AccountRealm { .agents }
    var siteName: String { tenant.name }
    var accountID: UUID { agent.id }
    var accountEmail: String { agent.email }
    var accountName: String { agent.fullName }
    var secondFactorEnabled: Bool { agent.secondFactorEnabled }
    var secondFactorRequired: Bool { agent.role.requiresSecondFactor }
    var homePath: String { "/agent" }
    var navigation: TenantPages.Navigation {
        .init(home: "/agent", homeLabel: "Espace agent", accountName: agent.fullName, accountLink: "/compte")
    }

}
