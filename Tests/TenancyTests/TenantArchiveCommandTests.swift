import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// `rdv tenants export` and `rdv tenants import` as an operator runs them, the archive of an
/// older schema migrated forward, and the list of secret columns kept complete.
@Suite struct TenantArchiveCommandTests {
    func rdv(_ arguments: [String], in world: TestWorld) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(world.environment) { $1 }
        environment["LOG_LEVEL"] = "warning"
        environment["RDV_SECRET_KEY"] = Data(repeating: 7, count: 32).base64EncodedString()
        return try Subprocess.run(
            [CommandLineTests.binary] + arguments + ["--migrations", TestWorld.repositoryRoot.appendingPathComponent("Migrations").path],
            environment: environment
        )
    }

    @Test func theBinaryExportsAndImportsADepartementAndRefusesASecondImportInFrench() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("drome.tar").path
        let keyFile = directory.appendingPathComponent("cle")
        try Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString().write(to: keyFile, atomically: true, encoding: .utf8)

        let (tenant, organisation) = try await TestWorld.run { world in
            let tenant = try await world.makeTenant(code: DepartementCode("26"), slug: "drome", name: "Drôme")
            let organisation = try await world.makeOrganisation(in: tenant, name: "PMI de Valence")
            let export = try rdv(["tenants", "export", "drome", "--output", file, "--sceller-secrets", keyFile.path], in: world)
            #expect(export.status == 0, "\(export.output)")
            #expect(export.output.contains("Archive écrite") && export.output.contains("secrets scellés"))
            let unknown = try rdv(["tenants", "export", "nulle-part", "--output", file + ".autre"], in: world)
            #expect(unknown.status == 1 && unknown.output.contains("Aucun département « nulle-part »"))
            return (tenant, organisation)
        }

        try await TestWorld.run { target in
            let imported = try rdv(["tenants", "import", file, "--slug", "drome-bis", "--ouvrir-secrets", keyFile.path], in: target)
            #expect(imported.status == 0, "\(imported.output)")
            #expect(imported.output.contains("Département 26 « drome-bis » importé") && imported.output.contains("secrets restaurés"))
            let registered = try #require(try await target.registry.all().first)
            #expect(registered.slug == "drome-bis" && registered.name == tenant.name && registered.code == tenant.code)
            let names = try await target.database.tenant(registered).transaction { connection in
                try await connection.query("SELECT id, name FROM organisations").collect().map { try $0.decode((UUID, String).self) }
            }
            #expect(names.map(\.0) == [organisation.id] && names.map(\.1) == ["PMI de Valence"])

            let again = try rdv(["tenants", "import", file], in: target)
            #expect(again.status == 1)
            #expect(again.output.contains("Le département 26 existe déjà sur cette plateforme (« drome-bis »)"))
            #expect(try await target.registry.all().count == 1)
            let migrate = try rdv(["migrate"], in: target)
            #expect(migrate.status == 0 && migrate.output.contains("0 migration(s) appliquée(s)"), "\(migrate.output)")
        }
    }

    @Test func anArchiveOfAnOlderSchemaIsMigratedForwardOnImport() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ancienne.tar")
        let full = try TestWorld.repositoryCatalog()
        let older = MigrationCatalog(shared: full.shared, tenant: Array(full.tenant.dropLast()))
        try await TestWorld.run(catalog: older) { world in
            let tenant = try await world.makeTenant()
            _ = try await world.makeOrganisation(in: tenant)
            let export = try await TenantArchive(owner: world.owner, catalog: older).export(tenant: tenant, to: file)
            #expect(export.manifest.schemaVersion == older.tenant.last!.version)
        }
        try await TestWorld.run { target in
            let imported = try await TenantArchive(owner: target.owner, catalog: full).import(from: file)
            #expect(imported.migrationsApplied == [full.tenant.last!.fileName])
            let outcomes = try await target.runner().migrateEverything()
            #expect(outcomes.allSatisfy { $0.succeeded && $0.applied.isEmpty })
            let organisations = try await target.database.tenant(imported.tenant).transaction { connection in
                try await connection.query("SELECT count(*) FROM organisations").collect()[0].decode(Int.self)
            }
            #expect(organisations == 1)
        }
    }

    /// A column whose name says it holds a secret must be on the list an export leaves out.
    @Test func everyColumnNamedLikeASecretIsLeftOutOfArchives() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let rows = try await world.owner.client.query(
                """
                SELECT table_name::text || '.' || column_name::text FROM information_schema.columns
                WHERE table_schema = \(tenant.schemaName)
                  AND column_name ~ '(hash|secret|token|password|sealed|api_key)'
                  -- A reference to a token's row (api_calls.token_id…) is no secret.
                  AND column_name !~ '_id$' ORDER BY 1
                """,
                logger: world.owner.logger
            ).collect().map { try $0.decode(String.self) }
            let listed = Set(ArchiveSecrets.columns.map(\.qualifiedName))
            #expect(rows.filter { !listed.contains($0) } == [])
            #expect(listed.subtracting(rows).isEmpty, "a listed secret column no longer exists")
        }
    }
}
