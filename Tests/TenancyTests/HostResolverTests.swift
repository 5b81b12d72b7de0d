import Testing
@testable import Tenancy

@Suite struct HostResolverTests {
    let drome = Tenant(
        id: 1, slug: "drome", name: "Drôme", code: DepartementCode("26")!, timeZone: "Europe/Paris",
        status: .active, customDomains: ["rdv.ladrome.fr"]
    )

    var resolver: HostResolver { HostResolver(baseDomain: "rdv.example", tenants: [drome]) }

    @Test func slugAndCustomDomainReachTheDepartement() {
        #expect(resolver.resolve(host: "drome.rdv.example") == .tenant(drome))
        #expect(resolver.resolve(host: "rdv.ladrome.fr") == .tenant(drome))
    }

    @Test func portCaseAndTrailingDotAreIgnored() {
        #expect(resolver.resolve(host: "DROME.Rdv.Example:8443") == .tenant(drome))
        #expect(resolver.resolve(host: "drome.rdv.example.") == .tenant(drome))
        #expect(resolver.resolve(host: "RDV.LADROME.FR:80") == .tenant(drome))
    }

    @Test func bareDomainAndReservedNames() {
        #expect(resolver.resolve(host: "rdv.example") == .landing)
        #expect(resolver.resolve(host: "rdv.example:8080") == .landing)
        #expect(resolver.resolve(host: "www.rdv.example") == .wwwAlias)
        #expect(resolver.resolve(host: "console.rdv.example") == .console)
        #expect(resolver.resolve(host: "stats.rdv.example") == .stats)
        #expect(resolver.resolve(host: "api.rdv.example") == .reserved("api"))
    }

    @Test func anythingElseIsUnknown() {
        for host in ["", "nord.rdv.example", "drome.rdv.example.evil.com", "x.drome.rdv.example", "evil.com", "[::1]:8080", "127.0.0.1", "drome"] {
            #expect(resolver.resolve(host: host) == .unknown, "\(host)")
        }
    }
}
