import Testing
@testable import Tenancy

@Suite struct NamingTests {
    @Test func departementCodes() {
        #expect(DepartementCode.all.count == 101)
        #expect(Set(DepartementCode.all.map(\.value)).count == 101)
        #expect(DepartementCode("62")?.schemaName == "dept_62")
        #expect(DepartementCode("2a")?.schemaName == "dept_2a")
        #expect(DepartementCode("974")?.schemaName == "dept_974")
        for invalid in ["20", "00", "96", "975", "977", "2C", "6", "062", "", "٦٢"] {
            #expect(DepartementCode(invalid) == nil, "\(invalid)")
        }
    }

    @Test func overseasTimeZones() {
        #expect(DepartementCode("974")?.defaultTimeZone == "Indian/Reunion")
        #expect(DepartementCode("971")?.defaultTimeZone == "America/Guadeloupe")
        #expect(DepartementCode("973")?.defaultTimeZone == "America/Cayenne")
        #expect(DepartementCode("976")?.defaultTimeZone == "Indian/Mayotte")
        #expect(DepartementCode("62")?.defaultTimeZone == "Europe/Paris")
    }

    @Test func slugs() {
        #expect(TenantSlug.problem(with: "pas-de-calais") == nil)
        #expect(TenantSlug.problem(with: "seine-et-marne") == nil)
        for reserved in ["console", "stats", "api", "www"] {
            #expect(TenantSlug.problem(with: reserved) != nil, "\(reserved)")
        }
        for invalid in ["a", "Drome", "drôme", "-drome", "drome-", "dro--me", "dro_me", "dro.me", String(repeating: "a", count: 64)] {
            #expect(TenantSlug.problem(with: invalid) != nil, "\(invalid)")
        }
    }

    @Test func tenantRolesCarryTheDatabaseName() {
        let layout = DatabaseLayout(databaseName: "rdv", appRole: "rdv_app")
        #expect(layout.tenantRole(for: DepartementCode("62")!) == "rdv_dept_62")
        let other = DatabaseLayout(databaseName: "rdv-staging", appRole: "a")
        #expect(other.tenantRole(for: DepartementCode("2B")!) == "rdv_staging_dept_2b")
    }

    @Test func identifiersAreQuoted() {
        #expect(quoted("rdv_app") == "\"rdv_app\"")
        #expect(quoted("we\"ird") == "\"we\"\"ird\"")
    }

    @Test func databaseURLs() throws {
        let (tcp, db) = try DatabaseSettings.configuration(fromURL: "postgres://app:s%40cret@db.example:6543/rdv?sslmode=require")
        #expect(db == "rdv")
        #expect(tcp.host == "db.example")
        #expect(tcp.port == 6543)
        #expect(tcp.username == "app")
        #expect(tcp.password == "s@cret")
        let (socket, _) = try DatabaseSettings.configuration(fromURL: "postgresql://app@/rdv?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(throws: DatabaseURLError.self) { try DatabaseSettings.configuration(fromURL: "mysql://a@b/c") }
        #expect(throws: DatabaseURLError.self) { try DatabaseSettings.configuration(fromURL: "postgres://a@b/") }
        #expect(throws: DatabaseURLError.self) { try DatabaseSettings.configuration(fromURL: "postgres://a@b/c?sslmode=maybe") }
    }
}
