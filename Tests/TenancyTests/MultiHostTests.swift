import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// A multi-host URL on the real PostgreSQL: the test cluster, and a loopback port where nothing
/// listens standing for a lost machine.
@Suite struct MultiHostTests {
    @Test(arguments: [TargetSessionAttributes.any, .readWrite, .primary])
    func aDownFirstHostIsPassedOverForTheNextOne(target: TargetSessionAttributes) async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let down = try UnreachableHosts.configuration(like: world.settings)
            let settings = DatabaseSettings(
                appHosts: DatabaseHosts([down, world.settings.app], target: target), ownerHosts: nil,
                databaseName: world.settings.databaseName
            )
            let database = Database(settings: settings, logger: world.database.logger)
            try await database.running {
                let tenants = try await database.registeredTenants()
                #expect(tenants.map(\.code).contains(tenant.code))
                let schema = try await database.tenant(tenant).transaction { connection in
                    try await connection.query("SELECT current_schema()").collect()[0].decode(String.self)
                }
                #expect(schema == tenant.schemaName)
                #expect(database.appClient.currentConfiguration.unixSocketPath == world.settings.app.unixSocketPath)
            }
        }
    }

    @Test func withNoHostLeftWorkIsRefusedAsUnavailable() async throws {
        try await TestWorld.run { world in
            let settings = DatabaseSettings(
                appHosts: DatabaseHosts(
                    [try UnreachableHosts.configuration(like: world.settings), try UnreachableHosts.configuration(like: world.settings)],
                    target: .readWrite
                ),
                ownerHosts: nil, databaseName: world.settings.databaseName
            )
            let database = Database(settings: settings, logger: world.database.logger)
            try await database.running {
                await #expect(throws: DatabaseUnavailable.self) { try await database.shared.query("SELECT 1") }
                await #expect(throws: DatabaseUnavailable.self) {
                    try await database.shared.transaction { try await $0.query("SELECT 1") }
                }
                #expect(await database.isReachable() == false)
            }
        }
    }

    @Test func aReadOnlyRefusalFromTheServerMeansUnavailable() async throws {
        try await TestWorld.run { world in
            // A standby refuses writes with this SQLSTATE (25006), as a read-only transaction does.
            let refusal = await #expect(throws: PSQLError.self) {
                try await world.database.shared.transaction { connection in
                    try await connection.query("SET TRANSACTION READ ONLY")
                    try await connection.query("CREATE TEMP TABLE written (n int)")
                }
            }
            #expect(refusal?.serverInfo?[.sqlState] == "25006")
            #expect(refusal?.isDatabaseUnavailable == true)
            // A fault of the SQL itself is no absence of the database.
            let mistake = await #expect(throws: PSQLError.self) { try await world.database.shared.query("SELEC 1") }
            #expect(mistake?.isDatabaseUnavailable == false)
            #expect(DatabaseUnavailable("aucun serveur").isDatabaseUnavailable)
        }
    }
}
