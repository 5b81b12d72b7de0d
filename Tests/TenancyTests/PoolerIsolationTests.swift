import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// Many concurrent transactions of two départements on one pool: inside each, the search path
/// and the role are its own; outside any, nothing of a département is left on the session.
/// Run directly against PostgreSQL, and by `scripts/pgbouncer-drill` through PgBouncer in
/// transaction mode (RDV_TEST_PGBOUNCER), where a handful of server sessions serve every client.
@Suite struct PoolerIsolationTests {
    /// What one session looked like, and which server backend it was.
    struct Sample: Sendable {
        let tenant: String?
        let searchPath: String
        let user: String
        let jit: String
        let backend: Int32
    }

    static func sample(_ session: some SQLSession, tenant: String?) async throws -> Sample {
        let rows = try await session.query(
            "SELECT current_setting('search_path'), current_user::text, current_setting('jit'), pg_backend_pid()"
        ).collect()
        let (path, user, jit, backend) = try rows[0].decode((String, String, String, Int32).self)
        return Sample(tenant: tenant, searchPath: path, user: user, jit: jit, backend: backend)
    }

    struct Abandoned: Error {}

    @Test func noTenantSettingLeaksBetweenConcurrentTransactions() async throws {
        try await TestWorld.run { world in
            let tenants = [try await world.makeTenant(), try await world.makeTenant()]
            let baseline = try await Self.sample(world.database.shared, tenant: nil)
            #expect(!baseline.searchPath.contains("dept_"))
            #expect(baseline.user == world.database.layout.appRole)

            let rounds = 480
            let all = try await withThrowingTaskGroup(of: [Sample].self) { group in
                for n in 0..<rounds {
                    group.addTask {
                        let tenant = tenants[n % 2]
                        let database = world.database.tenant(tenant)
                        switch n % 6 {
                        case 0, 1, 2:
                            // A tenant transaction that holds its server session a moment.
                            let inside = try await database.transaction { connection in
                                let first = try await Self.sample(connection, tenant: tenant.slug)
                                try await connection.query("SELECT pg_sleep(0.002)")
                                let second = try await Self.sample(connection, tenant: tenant.slug)
                                #expect(first.backend == second.backend, "one transaction, one server session")
                                return second
                            }
                            #expect(inside.searchPath == tenant.schemaName)
                            #expect(inside.user == database.role)
                            #expect(inside.jit == "off")
                            return [inside]
                        case 3:
                            // A transaction abandoned after its SET LOCAL: ROLLBACK must undo them too.
                            await #expect(throws: Abandoned.self) {
                                try await database.transaction { connection in
                                    _ = try await Self.sample(connection, tenant: tenant.slug)
                                    throw Abandoned()
                                }
                            }
                            return []
                        case 4:
                            // A transaction that fails inside PostgreSQL: reaching the other département.
                            let other = tenants[(n + 1) % 2]
                            let error = await #expect(throws: PSQLError.self) {
                                try await database.transaction { connection in
                                    try await connection.query("SELECT count(*) FROM \(unescaped: other.schemaName).organisations")
                                }
                            }
                            #expect(error?.serverInfo?[.sqlState] == "42501")
                            return []
                        default:
                            // Outside any tenant transaction: the login role's own session, as at start.
                            let outside = try await Self.sample(world.database.shared, tenant: nil)
                            let inShared = try await world.database.shared.transaction { try await Self.sample($0, tenant: nil) }
                            for fresh in [outside, inShared] {
                                #expect(fresh.searchPath == baseline.searchPath)
                                #expect(fresh.user == baseline.user)
                                #expect(fresh.jit == baseline.jit)
                            }
                            return [outside, inShared]
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let backends = { (slug: String?) in Set(all.filter { $0.tenant == slug }.map(\.backend)) }
            let servedBoth = backends(tenants[0].slug).intersection(backends(tenants[1].slug))
            if try await TestCluster.pgBouncerSocket() != nil {
                // Through PgBouncer, a few server sessions served every client connection, each
                // passing from one département to the other and to untenanted work.
                let distinct = Set(all.map(\.backend))
                #expect(distinct.count <= TestCluster.pgBouncerPoolSize)
                #expect(!servedBoth.isEmpty)
                #expect(!servedBoth.intersection(backends(nil)).isEmpty)
            }
            // Afterwards, the sessions are as they were.
            for _ in 0..<20 {
                let after = try await Self.sample(world.database.shared, tenant: nil)
                #expect(after.searchPath == baseline.searchPath && after.user == baseline.user && after.jit == baseline.jit)
            }
        }
    }
}
