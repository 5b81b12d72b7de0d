import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

@Suite struct MigrationRunnerTests {
    /// A catalog with the repository's shared files and the given tenant files.
    func catalog(tenant: [Migration]) throws -> MigrationCatalog {
        MigrationCatalog(shared: try TestWorld.repositoryCatalog().shared, tenant: tenant)
    }

    static let first = Migration(version: 1, fileName: "0001_notes.sql", sql: "CREATE TABLE notes (id int PRIMARY KEY, body text);")
    static let second = Migration(version: 2, fileName: "0002_more.sql", sql: "ALTER TABLE notes ADD COLUMN tag text;\nCREATE INDEX notes_tag ON notes (tag);")

    func appliedVersions(_ world: TestWorld, schema: String) async throws -> [Int] {
        try await world.owner.ownerQuery("SELECT version FROM \(unescaped: schema).schema_migrations ORDER BY version")
            .map { try $0.decode(Int.self) }
    }

    @Test func freshRunThenIdempotentRerun() async throws {
        try await TestWorld.run(catalog: try catalog(tenant: [Self.first, Self.second])) { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            #expect(try await appliedVersions(world, schema: a.schemaName) == [1, 2])
            #expect(try await appliedVersions(world, schema: b.schemaName) == [1, 2])

            let again = try await world.runner().migrateEverything()
            #expect(again.allSatisfy { $0.succeeded })
            #expect(again.flatMap(\.applied).isEmpty)
            #expect(Set(again.map(\.schema)) == ["shared", a.schemaName, b.schemaName])
        }
    }

    @Test func newFileIsAppliedEverywhere() async throws {
        try await TestWorld.run(catalog: try catalog(tenant: [Self.first])) { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            let outcomes = try await world.runner(catalog: try catalog(tenant: [Self.first, Self.second])).migrateEverything()
            #expect(outcomes.allSatisfy { $0.succeeded })
            #expect(outcomes.filter { $0.applied == ["0002_more.sql"] }.count == 2)
            #expect(try await appliedVersions(world, schema: a.schemaName) == [1, 2])
            #expect(try await appliedVersions(world, schema: b.schemaName) == [1, 2])
        }
    }

    @Test func changedAppliedFileIsRefusedNamingFileAndSchema() async throws {
        try await TestWorld.run(catalog: try catalog(tenant: [Self.first])) { world in
            let a = try await world.makeTenant()
            let edited = Migration(version: 1, fileName: "0001_notes.sql", sql: Self.first.sql + "\n-- edited")
            let outcomes = try await world.runner(catalog: try catalog(tenant: [edited, Self.second])).migrateEverything()
            let outcome = try #require(outcomes.first { $0.schema == a.schemaName })
            #expect(outcome.error == .changedFile(file: "0001_notes.sql", schema: a.schemaName))
            #expect(outcome.error?.description.contains("0001_notes.sql") == true)
            #expect(outcome.error?.description.contains(a.schemaName) == true)
            #expect(outcome.applied.isEmpty)
            #expect(try await appliedVersions(world, schema: a.schemaName) == [1])
        }
    }

    @Test func failingFileStaysInItsSchema() async throws {
        try await TestWorld.run(catalog: try catalog(tenant: [Self.first])) { world in
            let healthy = try await world.makeTenant()
            let doomed = try await world.makeTenant()
            // Fails on one schema only, after a statement that must be rolled back with it.
            let failing = Migration(version: 2, fileName: "0002_fragile.sql", sql: """
                ALTER TABLE notes ADD COLUMN tag text;
                DO $$ BEGIN
                    IF current_schema() = '\(doomed.schemaName)' THEN RAISE EXCEPTION 'boom in %', current_schema(); END IF;
                END $$;
                """)
            let outcomes = try await world.runner(catalog: try catalog(tenant: [Self.first, failing])).migrateEverything()
            let bad = try #require(outcomes.first { $0.schema == doomed.schemaName })
            guard case .failed(let file, let schema, let reason)? = bad.error else {
                Issue.record("expected a failure, got \(String(describing: bad.error))")
                return
            }
            #expect(file == "0002_fragile.sql")
            #expect(schema == doomed.schemaName)
            #expect(reason.contains("boom"))
            #expect(outcomes.first { $0.schema == healthy.schemaName }?.applied == ["0002_fragile.sql"])
            #expect(try await appliedVersions(world, schema: doomed.schemaName) == [1])
            #expect(try await appliedVersions(world, schema: healthy.schemaName) == [1, 2])
            let columns = try await world.owner.ownerQuery(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = \(doomed.schemaName) AND column_name = 'tag'"
            )
            #expect(try columns[0].decode(Int.self) == 0)
        }
    }

    @Test func concurrentRunnersAreSerialised() async throws {
        try await TestWorld.run(catalog: try catalog(tenant: [Self.first])) { world in
            for _ in 0..<4 { try await world.makeTenant() }
            let next = try catalog(tenant: [Self.first, Self.second])
            let runs = try await withThrowingTaskGroup(of: [SchemaOutcome].self) { group in
                for _ in 0..<3 {
                    group.addTask { try await world.runner(catalog: next).migrateEverything() }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(runs.allSatisfy { $0.allSatisfy { $0.succeeded } })
            // Each of the four schemas got 0002 exactly once, from whichever runner came first.
            #expect(runs.flatMap { $0.flatMap(\.applied) }.count == 4)
        }
    }

    @Test func tenantRoleCannotTouchTheVersionTable() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            await #expect(throws: PSQLError.self) {
                try await world.database.tenant(tenant).transaction { connection in
                    try await connection.query("SELECT * FROM schema_migrations")
                }
            }
        }
    }
}
