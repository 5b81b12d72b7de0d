import Testing
@testable import Tenancy

/// libpq-style URLs with several hosts, read by `DatabaseSettings.hosts(fromURL:)`.
@Suite struct DatabaseURLTests {
    @Test func aSingleHostReadsAsBefore() throws {
        let (hosts, database) = try DatabaseSettings.hosts(fromURL: "postgres://app:s%40cret@db.example:6543/rdv?sslmode=require")
        #expect(database == "rdv")
        #expect(hosts.configurations.count == 1)
        #expect(hosts.target == .any)
        #expect(hosts.configurations[0].host == "db.example")
        #expect(hosts.configurations[0].port == 6543)
        #expect(hosts.configurations[0].password == "s@cret")
    }

    @Test func severalHostsKeepTheirOrderPortsAndCredentials() throws {
        let (hosts, database) = try DatabaseSettings.hosts(
            fromURL: "postgres://rdv_app:p%2Cw%40rd@127.0.0.1:5501,127.0.0.1:5502,db3.interne/rdv?target_session_attrs=read-write&sslmode=disable"
        )
        #expect(database == "rdv")
        #expect(hosts.target == .readWrite)
        #expect(hosts.configurations.map(\.host) == ["127.0.0.1", "127.0.0.1", "db3.interne"])
        #expect(hosts.configurations.map(\.port) == [5501, 5502, 5432])
        #expect(hosts.configurations.allSatisfy { $0.username == "rdv_app" && $0.password == "p,w@rd" && $0.database == "rdv" })
    }

    @Test func aSingleHostWithATargetIsProbed() throws {
        let (hosts, _) = try DatabaseSettings.hosts(fromURL: "postgresql://app@db:5432/rdv?target_session_attrs=primary")
        #expect(hosts.target == .primary)
    }

    @Test func socketFoldersMayBeListedWithOnePortOrOneEach() throws {
        let (same, _) = try DatabaseSettings.hosts(fromURL: "postgres://app@/rdv?host=/run/a,/run/b&port=5433")
        #expect(same.configurations.map(\.unixSocketPath) == ["/run/a/.s.PGSQL.5433", "/run/b/.s.PGSQL.5433"])
        let (each, _) = try DatabaseSettings.hosts(fromURL: "postgres://app@/rdv?host=/run/a,/run/b&port=5501,5502&target_session_attrs=read-write")
        #expect(each.configurations.map(\.unixSocketPath) == ["/run/a/.s.PGSQL.5501", "/run/b/.s.PGSQL.5502"])
        #expect(each.target == .readWrite)
    }

    @Test func badListsAreRefusedInFrench() {
        for url in [
            "postgres://app@a:1,,b:2/rdv",
            "postgres://app@a:1,b:2/rdv?target_session_attrs=standby",
            "postgres://app@/rdv?host=/run/a,/run/b&port=1,2,3",
            "postgres://app@/rdv?host=/run/a,relative",
            "postgres://app@a,b:2/",
        ] {
            #expect(throws: DatabaseURLError.self, "\(url)") { try DatabaseSettings.hosts(fromURL: url) }
        }
    }

    @Test func theFirstHostIsWhatSingleHostCallersSee() throws {
        let (first, database) = try DatabaseSettings.configuration(fromURL: "postgres://app@h1:5501,h2:5502/rdv")
        #expect(first.host == "h1" && first.port == 5501 && database == "rdv")
    }
}
