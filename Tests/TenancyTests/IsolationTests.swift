import Foundation
import Logging
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// The database itself keeps départements apart, whatever the application code does.
@Suite struct IsolationTests {
    @Test func unqualifiedNamesReachOnlyTheOwnSchema() async throws {
        try await TestWorld.run { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            try await insertOrganisation("Only in A", into: a, world)
            try await insertOrganisation("Only in B", into: b, world)
            #expect(try await organisationNames(of: a, world) == ["Only in A"])
            #expect(try await organisationNames(of: b, world) == ["Only in B"])
        }
    }

    @Test func namingAnotherTenantsTableIsPermissionDenied() async throws {
        try await TestWorld.run { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            try await insertOrganisation("Secret of B", into: b, world)
            let attempts: [PostgresQuery] = [
                "SELECT name FROM \(unescaped: b.schemaName).organisations",
                "INSERT INTO \(unescaped: b.schemaName).organisations (name) VALUES ('intrusion')",
                "SELECT slug FROM shared.tenants",
            ]
            for attempt in attempts {
                let error = await #expect(throws: PSQLError.self, "\(attempt.sql)") {
                    try await world.database.tenant(a).transaction { connection in
                        try await connection.query(attempt)
                    }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(attempt.sql)")
            }
            // Dropping the tenant role falls back to the login role, which holds no tenant's rights (NOINHERIT).
            let error = await #expect(throws: PSQLError.self) {
                try await world.database.tenant(a).transaction { connection in
                    try await connection.query("RESET ROLE")
                    try await connection.query("SELECT name FROM \(unescaped: b.schemaName).organisations")
                }
            }
            #expect(error?.serverInfo?[.sqlState] == "42501")
            #expect(try await organisationNames(of: b, world) == ["Secret of B"])
        }
    }

    @Test func aPooledConnectionCarriesNothingFromOneTenantToTheNext() async throws {
        try await TestWorld.run { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            try await insertOrganisation("Of A", into: a, world)
            try await insertOrganisation("Of B", into: b, world)
            var logger = Logger(label: "rdv.tests.pool")
            logger.logLevel = .warning
            // One connection only: every transaction below runs on the same server session.
            let single = Database(settings: world.settings, maximumConnections: 1, logger: logger)
            try await single.running {
                let backend = try await single.appQuery("SELECT pg_backend_pid()")[0].decode(Int.self)
                let baseline = try await sessionState(single)

                #expect(try await organisationNames(of: a, single) == ["Of A"])
                #expect(try await sessionState(single) == baseline)

                // A transaction that fails half-way leaves nothing either.
                await #expect(throws: PSQLError.self) {
                    try await single.tenant(a).transaction { connection in
                        try await connection.query("SELECT * FROM no_such_table")
                    }
                }
                #expect(try await sessionState(single) == baseline)

                #expect(try await organisationNames(of: b, single) == ["Of B"])
                #expect(try await sessionState(single) == baseline)
                #expect(try await single.appQuery("SELECT pg_backend_pid()")[0].decode(Int.self) == backend)
                #expect(baseline.user == EmbeddedPostgres.appRole)
                #expect(!baseline.searchPath.contains("dept_"))
            }
        }
    }

    struct SessionState: Equatable {
        let user: String
        let searchPath: String
    }

    func sessionState(_ database: Database) async throws -> SessionState {
        let row = try await database.appQuery("SELECT current_user::text, current_setting('search_path')")[0]
        let (user, path) = try row.decode((String, String).self)
        return SessionState(user: user, searchPath: path)
    }

    func insertOrganisation(_ name: String, into tenant: Tenant, _ world: TestWorld) async throws {
        try await world.database.tenant(tenant).transaction { connection in
            try await connection.query("INSERT INTO organisations (name) VALUES (\(name))")
        }
    }

    func organisationNames(of tenant: Tenant, _ world: TestWorld) async throws -> [String] {
        try await organisationNames(of: tenant, world.database)
    }

    func organisationNames(of tenant: Tenant, _ database: Database) async throws -> [String] {
        try await database.tenant(tenant).transaction { connection in
            var names: [String] = []
            for try await name in try await connection.query("SELECT name FROM organisations ORDER BY name").decode(String.self) {
                names.append(name)
            }
            return names
        }
    }
}
