import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// The `rdv` binary itself, run against a test database.
@Suite struct CommandLineTests {
    /// `rdv` sits next to the test bundle in the build folder.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rdv").path

    func rdv(_ arguments: [String], in world: TestWorld) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(world.environment) { $1 }
        environment["LOG_LEVEL"] = "warning"
        return try Subprocess.run(
            [Self.binary] + arguments + ["--migrations", TestWorld.repositoryRoot.appendingPathComponent("Migrations").path],
            environment: environment
        )
    }

    @Test func applyRefusesABadDirectoryAndWritesNothing() async throws {
        try await TestWorld.run { world in
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try "slug = \"bon\"\nname = \"Bon\"\ninsee_code = \"62\"\n".write(to: directory.appendingPathComponent("62-bon.toml"), atomically: true, encoding: .utf8)
            try "slug = \"mauvais\"\nname = \"Mauvais\"\ninsee_code = \"26\"\ntime_zone = \"Mars/Olympus\"\n"
                .write(to: directory.appendingPathComponent("26-mauvais.toml"), atomically: true, encoding: .utf8)
            let (status, output) = try rdv(["tenants", "apply", directory.path], in: world)
            #expect(status == 2)
            #expect(output.contains("26-mauvais.toml:4"))
            #expect(output.contains("time_zone"))
            #expect(output.contains("rien n’a été appliqué"))
            #expect(try await world.registry.all().isEmpty)
        }
    }

    @Test func applyingTheDemoFilesTwiceIsIdempotent() async throws {
        try await TestWorld.run { world in
            let tenants = TestWorld.repositoryRoot.appendingPathComponent("Tenants").path
            let first = try rdv(["tenants", "apply", tenants], in: world)
            #expect(first.status == 0, "\(first.output)")
            let registered = try await world.registry.all()
            #expect(Set(registered.map(\.slug)).isSuperset(of: ["pas-de-calais", "drome", "seine-et-marne", "la-reunion"]))
            #expect(registered.first { $0.code.value == "974" }?.timeZone == "Indian/Reunion")
            #expect(registered.first { $0.code.value == "62" }?.customDomains == ["rdv.pasdecalais.fr"])

            let second = try rdv(["tenants", "apply", tenants], in: world)
            #expect(second.status == 0)
            #expect(second.output.contains("0 migration(s) appliquée(s)"))
            #expect(try await world.registry.all() == registered)

            let listing = try rdv(["tenants", "list"], in: world)
            #expect(listing.output.contains("pas-de-calais") && listing.output.contains("La Réunion"))
        }
    }

    @Test func applyKeepsAMembershipEditedOnTheConsoleAndSaysWhereUnlessTheFileHasPriority() async throws {
        try await TestWorld.run { world in
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("62-pas-de-calais.toml")
            let demo = try String(contentsOf: TestWorld.repositoryRoot.appendingPathComponent("Tenants/62-pas-de-calais.toml"), encoding: .utf8)
            try demo.write(to: file, atomically: true, encoding: .utf8)
            #expect(try rdv(["tenants", "apply", directory.path], in: world).status == 0)
            func population() async throws -> Int? {
                try await world.database.shared.query(
                    "SELECT m.population FROM shared.memberships m JOIN shared.tenants t ON t.id = m.tenant_id WHERE t.insee_code = '62'"
                ).collect().first?.decode(Int?.self) ?? nil
            }
            #expect(try await population() == 1_450_000)
            // What the console does when an operator edits the membership (the application role may).
            try await world.database.shared.query("UPDATE shared.memberships SET population = 1465000, managed_in_console_at = now()")
            try demo.replacingOccurrences(of: "population = 1_450_000", with: "population = 1_400_000")
                .write(to: file, atomically: true, encoding: .utf8)
            let line = try #require(TenantFile.line(ofSection: "membership", in: demo))

            let kept = try rdv(["tenants", "apply", directory.path], in: world)
            #expect(kept.status == 0)
            #expect(kept.output.contains("62-pas-de-calais.toml:\(line): adhésion modifiée dans la console le "), "\(kept.output)")
            #expect(kept.output.contains(", le fichier est ignoré pour ces champs"))
            #expect(try await population() == 1_465_000)

            let forced = try rdv(["tenants", "apply", "--fichier-prioritaire", directory.path], in: world)
            #expect(forced.status == 0)
            #expect(!forced.output.contains("adhésion modifiée"))
            #expect(try await population() == 1_400_000)
            let journal = try await world.database.shared.query(
                "SELECT count(*) FROM shared.consortium_audit_events WHERE action = 'membership.file_override'"
            ).collect()[0].decode(Int.self)
            #expect(journal == 1)
        }
    }

    @Test func migrateExitsNonZeroNamingTheFailedSchema() async throws {
        try await TestWorld.run { world in
            let healthy = try await world.makeTenant()
            let doomed = try await world.makeTenant()
            let migrations = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: migrations) }
            let fileManager = FileManager.default
            try fileManager.copyItem(at: TestWorld.repositoryRoot.appendingPathComponent("Migrations/shared"), to: migrations.appendingPathComponent("shared"))
            try fileManager.copyItem(at: TestWorld.repositoryRoot.appendingPathComponent("Migrations/tenant"), to: migrations.appendingPathComponent("tenant"))
            try """
                DO $$ BEGIN
                    IF current_schema() = '\(doomed.schemaName)' THEN RAISE EXCEPTION 'refused here'; END IF;
                END $$;
                CREATE TABLE extra (id int);
                """.write(to: migrations.appendingPathComponent("tenant/9001_fragile.sql"), atomically: true, encoding: .utf8)
            var environment = ProcessInfo.processInfo.environment
            environment.merge(world.environment) { $1 }
            let (status, output) = try Subprocess.run([Self.binary, "migrate", "--migrations", migrations.path], environment: environment)
            #expect(status == 1)
            #expect(output.contains("ÉCHEC \(doomed.schemaName)"))
            #expect(output.contains("9001_fragile.sql"))
            #expect(!output.contains("ÉCHEC \(healthy.schemaName)"))
        }
    }

    @Test func suspendAndResume() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            #expect(try rdv(["tenants", "suspend", tenant.slug], in: world).status == 0)
            #expect(try await world.registry.all().first?.status == .suspended)
            #expect(try rdv(["tenants", "resume", tenant.slug], in: world).status == 0)
            #expect(try await world.registry.all().first?.status == .active)
            let audited = try await world.owner.ownerQuery(
                "SELECT action FROM shared.consortium_audit_events WHERE tenant_id = \(tenant.id) ORDER BY id"
            ).map { try $0.decode(String.self) }
            #expect(audited == ["tenant.declared", "tenant.suspended", "tenant.active"])
            let missing = try rdv(["tenants", "suspend", "inconnu"], in: world)
            #expect(missing.status == 1)
            #expect(missing.output.contains("Aucun département"))
        }
    }

    @Test func provisionCarriesOutTheConsolesRequestAndApplyThenLeavesThatDepartementAlone() async throws {
        try await TestWorld.run { world in
            #expect(try rdv(["tenants", "provision"], in: world).output.contains("Aucune demande"))
            // What the console records, as the application role.
            _ = try await world.database.appQuery(
                """
                INSERT INTO shared.provisioning_requests (slug, name, insee_code, time_zone, organisation_name, admin_email, admin_first_name, admin_last_name)
                VALUES ('guadeloupe', 'Guadeloupe', '971', 'America/Guadeloupe', 'Service social de Pointe-à-Pitre', 'admin@cg971.fr', 'Léa', 'Moïse')
                """
            )
            let provisioned = try rdv(["tenants", "provision"], in: world)
            #expect(provisioned.status == 0, "\(provisioned.output)")
            #expect(provisioned.output.contains("département ouvert"))
            let tenant = try #require(try await world.registry.all().first)
            #expect(tenant.status == .active && tenant.timeZone == "America/Guadeloupe")

            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try "slug = \"gwada\"\nname = \"Ancien nom\"\ninsee_code = \"971\"\n"
                .write(to: directory.appendingPathComponent("971.toml"), atomically: true, encoding: .utf8)
            let applied = try rdv(["tenants", "apply", directory.path], in: world)
            #expect(applied.status == 0)
            #expect(applied.output.contains("971.toml : département géré dans la console"))
            #expect(try await world.registry.all().first?.name == "Guadeloupe")
            #expect(try rdv(["tenants", "apply", "--fichier-prioritaire", directory.path], in: world).status == 0)
            #expect(try await world.registry.all().first?.name == "Ancien nom")
        }
    }

    @Test func createValidatesItsArguments() async throws {
        try await TestWorld.run { world in
            let bad = try rdv(["tenants", "create", "--code", "62", "--slug", "console", "--name", "X"], in: world)
            #expect(bad.status != 0)
            #expect(bad.output.contains("réservé"))
            let good = try rdv(["tenants", "create", "--code", "2A", "--slug", "corse-du-sud", "--name", "Corse-du-Sud"], in: world)
            #expect(good.status == 0, "\(good.output)")
            #expect(try await world.registry.all().map(\.schemaName) == ["dept_2a"])
        }
    }

    @Test func everyCommandRefusesAnUnknownEnvironmentBeforeDoingAnything() async throws {
        try await TestWorld.run { world in
            for value in ["prod", "Production", ""] {
                for verb in [["serve"], ["worker"], ["migrate"], ["tenants", "list"], ["demo"], ["consortium", "list"]] {
                    let dataDirectory = NSTemporaryDirectory() + "rdv-env-\(UUID().uuidString)"
                    var environment = ProcessInfo.processInfo.environment
                    environment.merge(world.environment) { $1 }
                    environment["DATABASE_URL"] = nil
                    environment["RDV_ENV"] = value
                    let (status, output) = try Subprocess.run([Self.binary] + verb + ["--data-dir", dataDirectory], environment: environment)
                    #expect(status != 0, "\(verb) with RDV_ENV=\(value)")
                    #expect(output.contains("RDV_ENV") && output.contains("development ou production"), "\(verb): \(output)")
                    // Nothing started: no embedded cluster, no development key.
                    #expect(!FileManager.default.fileExists(atPath: dataDirectory))
                }
            }
            #expect(try await world.registry.all().isEmpty)
        }
    }

    @Test func productionCommandsThatMigrateNeedTheOwnerURL() async throws {
        try await TestWorld.run { world in
            var environment = ProcessInfo.processInfo.environment
            environment.merge(world.environment) { $1 }
            environment["RDV_ENV"] = "production"
            environment["RDV_SECRET_KEY"] = Data(repeating: 1, count: 32).base64EncodedString()
            environment["DATABASE_OWNER_URL"] = nil
            for verb in [["migrate"], ["tenants", "create", "--code", "2A", "--slug", "corse-du-sud", "--name", "Corse-du-Sud"]] {
                let (status, output) = try Subprocess.run([Self.binary] + verb, environment: environment)
                #expect(status != 0)
                #expect(output.contains("DATABASE_OWNER_URL est obligatoire en production"), "\(output)")
            }
            let demo = try Subprocess.run([Self.binary, "serve", "--demo"], environment: environment)
            #expect(demo.status != 0)
            #expect(demo.output.contains("qu’en développement"))
            #expect(try await world.registry.all().isEmpty)
        }
    }

    /// `rdv serve` in production is given the application's login role only, and serves.
    @Test func serveRunsInProductionWithoutTheOwnerRole() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            var environment = ProcessInfo.processInfo.environment
            environment.merge(world.environment) { $1 }
            environment["RDV_ENV"] = "production"
            environment["RDV_SECRET_KEY"] = Data(repeating: 2, count: 32).base64EncodedString()
            environment["RDV_PUBLIC_SCHEME"] = "https"
            environment["DATABASE_OWNER_URL"] = nil
            environment["LOG_LEVEL"] = "warning"
            let port = Int.random(in: 20_000...40_000)
            let script = """
                "$1" serve --port "$2" --base-domain rdv.test --sans-envois &
                server=$!
                python3 - "$2" "$3" <<'PY'
                import sys, time, urllib.request, urllib.error
                port, host = sys.argv[1], sys.argv[2]
                def status(path, host_header):
                    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host_header})
                    try:
                        return urllib.request.urlopen(request, timeout=5).status
                    except urllib.error.HTTPError as error:
                        return error.code
                for _ in range(120):
                    try:
                        if status("/healthz", "rdv.test") == 200: break
                    except OSError:
                        time.sleep(0.25)
                print("health", status("/healthz", "rdv.test"))
                print("signin", status("/connexion", host))
                print("mailbox", status("/dev/courriels", host))
                PY
                kill "$server"; wait "$server"
                """
            let (_, output) = try Subprocess.run(
                ["/bin/sh", "-c", script, "sh", Self.binary, String(port), "\(tenant.slug).rdv.test"], environment: environment
            )
            #expect(output.contains("health 200"), "\(output)")
            #expect(output.contains("signin 200"), "\(output)")
            // No development mailbox in production.
            #expect(output.contains("mailbox 404"), "\(output)")
        }
    }

    @Test(arguments: [[], ["serve"], ["migrate"], ["tenants"], ["tenants", "apply"], ["tenants", "create"], ["demo"]])
    func everyVerbHasHelp(_ verb: [String]) throws {
        let (status, output) = try Subprocess.run([Self.binary] + verb + ["--help"])
        #expect(status == 0)
        #expect(output.contains("USAGE"))
    }
}
