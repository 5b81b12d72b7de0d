import Agenda
import Foundation
import Identity
import Notifications
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy
import Webhooks

/// A département leaves with its data: exported from one platform, imported into a fresh one,
/// every row is there, its agent signs in on its host, its slots and its booking work.
@Suite struct TenantArchiveTests {
    static let platformSealed: Set<String> = Set(ArchiveSecrets.columns.filter(\.platformSealed).map(\.qualifiedName))
    static let allSecrets: Set<String> = Set(ArchiveSecrets.columns.map(\.qualifiedName))

    @Test func sealedRoundTripRestoresEveryRowAndTheAgentSignsInOnItsHost() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")
        let key = try ArchiveSealingKey(bytes: Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }))
        let now = Date()

        let (fixture, hashes, slots) = try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            let tenant = fixture.setup.tenant
            #expect(try await ArchiveFixture.emptyTables(of: tenant, in: world) == [], "the fixture must fill every table")
            let export = try await ArchiveFixture.archive(world).export(tenant: tenant, to: file, sealingSecretsWith: key)
            #expect(export.manifest.secrets.sealed)
            #expect(export.manifest.tables.allSatisfy { $0.rows > 0 })
            let hashes = try await ArchiveFixture.contentHashes(of: tenant, in: world, excluding: Self.platformSealed)
            return (fixture, hashes, try await Self.slots(of: tenant, motif: fixture.setup.motifID, now: now, in: world))
        }

        try await TestWorld.run { target in
            let imported = try await ArchiveFixture.archive(target).import(from: file, openingSecretsWith: key)
            #expect(imported.secretsRestored)
            #expect(imported.tenant.slug == fixture.setup.tenant.slug && imported.tenant.code == fixture.setup.tenant.code)
            #expect(try await ArchiveFixture.contentHashes(of: imported.tenant, in: target, excluding: Self.platformSealed) == hashes)
            // Platform-sealed values are sealed again; they open to the same secrets.
            let smsKey = try await target.owner.client.query(
                PostgresQuery(unsafeSQL: "SELECT sms_api_key_sealed FROM \(imported.tenant.schemaName).notification_settings"),
                logger: target.owner.logger
            ).collect()[0].decode(Data.self)
            #expect(CredentialBox(secret: TestWorld.secretKey).open(smsKey) == ArchiveFixture.smsKey)
            #expect(try await Self.slots(of: imported.tenant, motif: fixture.setup.motifID, now: now, in: target) == slots)
            #expect(!slots.isEmpty)

            let moved = OnlineSetup(
                tenant: imported.tenant, organisation: fixture.setup.organisation, agent: fixture.setup.agent,
                lieuID: fixture.setup.lieuID, motifID: fixture.setup.motifID, monday: fixture.setup.monday, clock: fixture.setup.clock
            )
            try await target.withLiveApp { app in
                let agent = Browser(app: app, host: moved.host)
                #expect(try await agent.signIn(fixture.setup.agent.email, totp: fixture.totp) == 303)
                #expect(try await agent.get("/agenda").status == .ok)
                let manage = try await moved.bookAndOpenManageLink(at: "09:30", from: Browser(app: app, host: moved.host), world: target)
                #expect(manage.hasPrefix("/"))
            }
            // The imported schema is this platform's own: nothing left to migrate.
            let outcomes = try await target.runner().migrateEverything()
            #expect(outcomes.allSatisfy { $0.succeeded && $0.applied.isEmpty })
        }
    }

    @Test func platformSealedSecretsAreSealedAgainWithTheTargetPlatformsKey() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")
        let key = try ArchiveSealingKey(bytes: Data(repeating: 42, count: 32))
        let targetSecret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        let (agentID, totpSecret, webhookSecret) = try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            let sealed = try await world.database.tenant(fixture.setup.tenant).transaction { connection in
                try await connection.query("SELECT secret_sealed FROM webhook_endpoints").collect()[0].decode(Data.self)
            }
            _ = try await ArchiveFixture.archive(world).export(tenant: fixture.setup.tenant, to: file, sealingSecretsWith: key)
            return (fixture.setup.agent.id, fixture.totp.secret, try #require(WebhookSecretBox(platformSecret: TestWorld.secretKey).open(sealed)))
        }
        try await TestWorld.run { target in
            // A wrong key is refused before anything is written.
            let wrong = try ArchiveSealingKey(bytes: Data(repeating: 1, count: 32))
            await #expect(throws: ArchiveError.wrongKey) {
                try await ArchiveFixture.archive(target, secretKey: targetSecret).import(from: file, openingSecretsWith: wrong)
            }
            #expect(try await target.registry.all().isEmpty)

            let imported = try await ArchiveFixture.archive(target, secretKey: targetSecret).import(from: file, openingSecretsWith: key)
            let schema = imported.tenant.schemaName
            let (sealedTOTP, sealedSMS) = try await target.owner.client.query(
                PostgresQuery(unsafeSQL: """
                    SELECT (SELECT totp_secret FROM \(schema).agents WHERE id = '\(agentID)'),
                           (SELECT sms_api_key_sealed FROM \(schema).notification_settings)
                    """),
                logger: target.owner.logger
            ).collect()[0].decode((Data, Data).self)
            let seals = SecondFactor(secret: targetSecret).archiveSeals
            #expect(try seals["agents.totp_secret"]!.open(sealedTOTP) == totpSecret)
            #expect(CredentialBox(secret: targetSecret).open(sealedSMS) == ArchiveFixture.smsKey)
            #expect(CredentialBox(secret: TestWorld.secretKey).open(sealedSMS) == nil)
            let sealedWebhook = try await target.owner.client.query(
                PostgresQuery(unsafeSQL: "SELECT secret_sealed FROM \(schema).webhook_endpoints"), logger: target.owner.logger
            ).collect()[0].decode(Data.self)
            #expect(WebhookSecretBox(platformSecret: targetSecret).open(sealedWebhook) == webhookSecret, "the endpoint signs as before")
            #expect(WebhookSecretBox(platformSecret: TestWorld.secretKey).open(sealedWebhook) == nil)
        }
    }

    @Test func withoutSecretsUnderAnotherSlugTheRowsMatchAndTheAgentMustResetThePassword() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")

        let (fixture, hashes, manifest) = try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            let export = try await ArchiveFixture.archive(world).export(tenant: fixture.setup.tenant, to: file)
            #expect(!export.manifest.secrets.sealed)
            let hashes = try await ArchiveFixture.contentHashes(of: fixture.setup.tenant, in: world, excluding: Self.allSecrets)
            return (fixture, hashes, export.manifest)
        }

        // No secret leaves: neither the hash of the password nor the SMS key is in any file.
        let extracted = directory.appendingPathComponent("extrait")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        _ = try TarFile.extract(file, into: extracted)
        let dump = try String(contentsOf: extracted.appendingPathComponent("dump.sql"), encoding: .utf8)
        #expect(!dump.contains("$argon2id$"))
        #expect(!FileManager.default.fileExists(atPath: extracted.appendingPathComponent("secrets.sealed").path))
        let csv = try String(contentsOf: extracted.appendingPathComponent("csv/rdvs.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("id,motif_id,lieu_id,starts_at,"))
        #expect(csv.contains("\"Notes : « guillemets », \"\"doubles\"\", virgule, tab\tet\nretour \\ antislash\""))
        #expect(csv.components(separatedBy: "\r\n").count == 5 + 2)
        let agentsCSV = try String(contentsOf: extracted.appendingPathComponent("csv/agents.csv"), encoding: .utf8)
        #expect(!agentsCSV.contains("password_hash") && !agentsCSV.contains("totp_secret"))
        let readme = try String(contentsOf: extracted.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("### `rdv_agents`") && readme.contains("| `during` | tstzrange |"))
        #expect(manifest.files.contains { $0.name == "csv/waiting_list_offers.csv" })

        try await TestWorld.run { target in
            let imported = try await ArchiveFixture.archive(target).import(from: file, slug: "nouveau-nom")
            #expect(!imported.secretsRestored)
            #expect(imported.tenant.slug == "nouveau-nom")
            #expect(try await ArchiveFixture.contentHashes(of: imported.tenant, in: target, excluding: Self.allSecrets) == hashes)
            let hash = try await target.owner.client.query(
                PostgresQuery(unsafeSQL: "SELECT password_hash FROM \(imported.tenant.schemaName).agents WHERE id = '\(fixture.setup.agent.id)'"),
                logger: target.owner.logger
            ).collect()[0].decode(String?.self)
            #expect(hash == nil)
            try await target.withLiveApp { app in
                let status = try await Browser(app: app, host: "nouveau-nom.rdv.test").signIn(fixture.setup.agent.email)
                #expect(status == 401)
            }
        }
    }

    @Test func aCorruptedForeignOrCompressedArchiveIsRefusedAndNothingIsWritten() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")
        try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            _ = try await ArchiveFixture.archive(world).export(tenant: fixture.setup.tenant, to: file)
        }
        // One byte of a COPY block changed: dump.sql no longer matches its sum.
        var bytes = try Data(contentsOf: file)
        let marker = try #require(bytes.range(of: Data("Notes : ".utf8)))
        bytes[marker.lowerBound] = UInt8(ascii: "M")
        let corrupted = directory.appendingPathComponent("corrompue.tar")
        try bytes.write(to: corrupted)
        let foreign = directory.appendingPathComponent("etrangere.tar")
        let stray = directory.appendingPathComponent("notes.txt")
        try "bonjour".write(to: stray, atomically: true, encoding: .utf8)
        try TarFile.write([("notes.txt", stray)], to: foreign)
        let compressed = directory.appendingPathComponent("archive.tar.gz")
        try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: compressed)
        let forged = try Self.forge(file, in: directory.appendingPathComponent("forge"), appending: "CREATE ROLE intrus SUPERUSER LOGIN;\n")

        try await TestWorld.run { target in
            let archive = ArchiveFixture.archive(target)
            let refusals: [(URL, ArchiveError)] = [
                (corrupted, .corruptFile("dump.sql")), (foreign, .notAnArchive), (compressed, .compressed),
                (forged, .unexpectedStatement("CREATE ROLE intrus SUPERUSER LOGIN")),
            ]
            for (source, expected) in refusals {
                await #expect(throws: expected) { try await archive.import(from: source) }
                #expect(expected.description.contains("rien n’a été importé") || expected == .compressed)
            }
            #expect(try await target.registry.all().isEmpty)
            let schemas = try await target.owner.client.query(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dept_%'", logger: target.owner.logger
            ).collect()[0].decode(Int.self)
            #expect(schemas == 0)
            let roles = try await target.owner.client.query(
                "SELECT count(*) FROM pg_roles WHERE rolname LIKE \(target.settings.databaseName + "_dept_%")", logger: target.owner.logger
            ).collect()[0].decode(Int.self)
            #expect(roles == 0)
        }
    }

    @Test func aCodeAlreadyHereIsRefusedInFrenchAndChangesNothing() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")
        try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            let tenant = fixture.setup.tenant
            _ = try await ArchiveFixture.archive(world).export(tenant: tenant, to: file)
            let before = try await ArchiveFixture.contentHashes(of: tenant, in: world, excluding: [])
            let error = await #expect(throws: ArchiveError.self) {
                try await ArchiveFixture.archive(world).import(from: file, slug: "autre-nom")
            }
            #expect(error == .codeTaken(code: tenant.code.value, slug: tenant.slug))
            #expect(error?.description.hasPrefix("Le département \(tenant.code.value) existe déjà sur cette plateforme") == true)
            #expect(try await world.registry.all().map(\.slug) == [tenant.slug])
            #expect(try await ArchiveFixture.contentHashes(of: tenant, in: world, excluding: []) == before)
        }
    }

    @Test func plainPsqlRestoresTheDumpOnABareDatabase() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("departement.tar")
        let manifest = try await TestWorld.run { world in
            let fixture = try await ArchiveFixture.make(world)
            return try await ArchiveFixture.archive(world).export(tenant: fixture.setup.tenant, to: file).manifest
        }
        _ = try TarFile.extract(file, into: directory)
        // A database of its own, without btree_gist nor any role of the platform, restored by
        // the cluster's superuser with psql alone.
        let cluster = try await TestCluster.cluster()
        let bare = "bare_" + TestWorld.randomLabel(length: 10)
        let superuser = cluster.configuration(user: EmbeddedPostgres.superuser, database: "postgres")
        let bin = try EmbeddedPostgres.binDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment.merge(PostgresTool.connectionEnvironment(superuser)) { $1 }
        let created = try Subprocess.run([bin + "/createdb", "--template=template0", bare], environment: environment)
        #expect(created.status == 0, "\(created.output)")
        environment["PGDATABASE"] = bare
        let restored = try Subprocess.run(
            [bin + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", directory.appendingPathComponent("dump.sql").path],
            environment: environment
        )
        #expect(restored.status == 0, "\(restored.output)")
        for table in manifest.tables {
            let counted = try Subprocess.run(
                [bin + "/psql", "-X", "-A", "-t", "-c", "SELECT count(*) FROM \(manifest.schema).\(table.name)"], environment: environment
            )
            #expect(counted.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(table.rows), "\(table.name)")
        }
        // The exclusion constraint came along with btree_gist.
        let constraint = try Subprocess.run(
            [bin + "/psql", "-X", "-A", "-t", "-c", "SELECT count(*) FROM pg_constraint WHERE conname = 'rdv_agents_no_double_booking'"],
            environment: environment
        )
        #expect(constraint.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        environment["PGDATABASE"] = "postgres"
        _ = try Subprocess.run([bin + "/dropdb", bare], environment: environment)
    }

    /// An archive whose dump.sql ends with `sql`, its manifest's sum updated to match: the
    /// sums hold, so only the import's check of each statement stands in the way.
    static func forge(_ archive: URL, in directory: URL, appending sql: String) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = try TarFile.extract(archive, into: directory)
        let dump = directory.appendingPathComponent("dump.sql")
        try (try String(contentsOf: dump, encoding: .utf8) + sql).write(to: dump, atomically: true, encoding: .utf8)
        let manifestURL = directory.appendingPathComponent("manifest.json")
        var manifest = try ArchiveManifest.decoder.decode(ArchiveManifest.self, from: Data(contentsOf: manifestURL))
        let index = try #require(manifest.files.firstIndex { $0.name == "dump.sql" })
        manifest.files[index].sha256 = try #require(TenantArchive.sha256(of: dump))
        try ArchiveManifest.encoder.encode(manifest).write(to: manifestURL)
        let forged = directory.appendingPathComponent("forgee.tar")
        try TarFile.write(names.map { ($0, directory.appendingPathComponent($0)) }, to: forged)
        return forged
    }

    static func slots(of tenant: Tenant, motif: UUID, now: Date, in world: TestWorld) async throws -> [AvailableSlot] {
        try await world.database.tenant(tenant).transaction { connection in
            try await SlotSearch(connection, tenant: tenant).slots(motifID: motif, now: now, within: 60)
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
