import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// The path past one database machine (deploy/SCALING.md): each département schema must stay
/// distributable whole by Citus schema-based sharding. Checked on the real migrations, so that
/// a later migration cannot close the path silently; and the checker itself is shown to catch
/// what it forbids.
@Suite struct CitusPathTests {
    @Test func theRealMigrationsKeepEveryDepartementSchemaDistributable() async throws {
        try await TestWorld.run { world in
            let checker = CitusPathChecker(owner: world.owner)
            let first = try await world.makeTenant()
            let before = try await checker.objectsOutside(tenantSchemas: [first.schemaName])
            let second = try await world.makeTenant()
            // A tenant migration creates nothing outside its own schema.
            let after = try await checker.objectsOutside(tenantSchemas: [first.schemaName, second.schemaName])
            #expect(after.subtracting(before).sorted() == [])
            for tenant in [first, second] {
                #expect(try await checker.violations(schema: tenant.schemaName) == [])
                // And there is something to check: tables, each with its key, and functions.
                let tables = try await world.owner.ownerQuery(
                    "SELECT count(*)::int FROM pg_tables WHERE schemaname = \(tenant.schemaName)"
                ).first?.decode(Int.self) ?? 0
                #expect(tables > 20)
            }
        }
    }

    @Test func theCheckerCatchesABadMigration() async throws {
        try await TestWorld.run { world in
            let checker = CitusPathChecker(owner: world.owner)
            let tenant = try await world.makeTenant()
            let scratch = "dept_scratch_" + TestWorld.randomLabel(length: 6)
            // What a careless migration could write: a key to the registry in shared, a key and a
            // view into another département, a function naming shared, a table without a key.
            for statement in [
                "CREATE SCHEMA \(scratch)",
                "CREATE TABLE \(scratch).notes (id bigint PRIMARY KEY, tenant_id integer REFERENCES shared.tenants (id))",
                "CREATE TABLE \(scratch).copies (id uuid PRIMARY KEY, organisation_id uuid REFERENCES \(tenant.schemaName).organisations (id))",
                "CREATE VIEW \(scratch).their_organisations AS SELECT id, name FROM \(tenant.schemaName).organisations",
                "CREATE FUNCTION \(scratch).count_tenants() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM shared.tenants); END $$",
                "CREATE TABLE \(scratch).log (at timestamptz NOT NULL DEFAULT now(), line text)",
            ] {
                try await world.owner.ownerQuery(PostgresQuery(unsafeSQL: statement))
            }
            let found = try await checker.violations(schema: scratch)
            #expect(found.contains { $0.hasPrefix("foreign key \(scratch).notes.") && $0.hasSuffix("references shared.tenants") })
            #expect(found.contains { $0.hasPrefix("foreign key \(scratch).copies.") && $0.hasSuffix("references \(tenant.schemaName).organisations") })
            #expect(found.contains { $0.contains("their_organisations") && $0.contains("schema \(tenant.schemaName)") })
            #expect(found.contains { $0 == "function \(scratch).count_tenants names schema shared" })
            #expect(found.contains { $0 == "table \(scratch).log has no primary key" })
            // The other side of a key into a département counts against that département too.
            #expect(try await checker.violations(schema: tenant.schemaName).contains { $0.contains("\(scratch).copies") })

            // A migration that creates a table outside its schema is seen by the before/after comparison.
            let before = try await checker.objectsOutside(tenantSchemas: [tenant.schemaName, scratch])
            try await world.owner.ownerQuery("CREATE TABLE shared.stray (id bigint PRIMARY KEY)")
            let after = try await checker.objectsOutside(tenantSchemas: [tenant.schemaName, scratch])
            #expect(after.subtracting(before) == ["relation shared.stray", "type shared.stray", "type shared._stray", "relation shared.stray_pkey"])
        }
    }
}
