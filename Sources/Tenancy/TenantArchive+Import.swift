import Crypto
import Foundation
import PostgresNIO

extension TenantArchive {
    /// Restores an archive as a new département of this platform: every file's SHA-256 is
    /// checked first, then the registry row, the département's role and schema, the data, the
    /// grants (given to this platform's roles) and the migration versions are written in one
    /// transaction, so a refused or failed import leaves nothing behind. An archive from an
    /// older schema is then migrated forward. `slug` replaces the archive's sub-domain;
    /// `key` opens sealed secrets (without it they are left out, as in an archive without them).
    public func `import`(from source: URL, slug: String? = nil, openingSecretsWith key: ArchiveSealingKey? = nil) async throws -> ArchiveImport {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let manifest = try Self.verifiedManifest(of: source, extractedTo: work)
        let slug = slug ?? manifest.departement.slug
        if let problem = TenantSlug.problem(with: slug) { throw ArchiveError.badSlug(slug: slug, reason: problem) }
        guard let code = DepartementCode(manifest.departement.code), code.schemaName == manifest.schema else {
            throw ArchiveError.notAnArchive
        }
        let known = Dictionary(uniqueKeysWithValues: catalog.tenant.map { ($0.version, $0) })
        for migration in manifest.migrations {
            guard let ours = known[migration.version] else {
                throw ArchiveError.newerSchema(archive: manifest.schemaVersion, platform: catalog.tenant.map(\.version).max() ?? 0)
            }
            guard ours.checksum == migration.checksum else { throw ArchiveError.migrationMismatch(migration.fileName) }
        }
        var secrets: SealedSecrets?
        if let key, manifest.secrets.sealed, let file = manifest.secrets.file {
            let data = try Data(contentsOf: work.appendingPathComponent(file))
            secrets = try SealedSecrets.open(data, with: key, code: code.value, exportedAt: manifest.exportedAt)
        }
        let resealed = try secrets.map(resealPlatformColumns)

        let runner = MigrationRunner(database: owner, catalog: catalog)
        let (rows, applied) = try await runner.withLock {
            let rows = try await owner.client.withConnection { connection in
                // pg_dump's SET statements outlive a committed transaction: the pooled
                // connection gets its defaults back either way.
                do {
                    let rows = try await connection.inTransaction(logger: logger) {
                        try await load(manifest, slug: slug, code: code, secrets: resealed, from: work, runner: runner, on: connection)
                    }
                    try await connection.query("RESET ALL", logger: logger)
                    return rows
                } catch {
                    _ = try? await connection.query("RESET ALL", logger: logger)
                    throw error
                }
            }
            var applied: [String] = []
            if manifest.schemaVersion < catalog.tenant.map(\.version).max() ?? 0 {
                let outcome = await runner.migrateTenant(code)
                if let error = outcome.error { throw ArchiveError.migrationFailed(error.description) }
                applied = outcome.applied
            }
            return (rows, applied)
        }
        guard let tenant = try await TenantRegistry(owner: owner).all().first(where: { $0.code == code }) else {
            throw ArchiveError.unknownTenant(slug)
        }
        return ArchiveImport(tenant: tenant, totalRows: rows, secretsRestored: resealed != nil, migrationsApplied: applied)
    }

    /// The manifest of an archive whose every file is present and matches its SHA-256.
    static func verifiedManifest(of source: URL, extractedTo work: URL) throws(ArchiveError) -> ArchiveManifest {
        guard let handle = try? FileHandle(forReadingFrom: source) else { throw .unreadable(source.path) }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        try? handle.close()
        if magic == Data([0x1F, 0x8B]) { throw .compressed }
        let names = try TarFile.extract(source, into: work)
        guard names.contains(Entry.manifest) else { throw .notAnArchive }
        let manifest = try ArchiveManifest.read(from: work.appendingPathComponent(Entry.manifest))
        let listed = Set(manifest.files.map(\.name))
        if let stray = names.first(where: { $0 != Entry.manifest && !listed.contains($0) }) { throw .unexpectedEntry(stray) }
        guard listed.contains(Entry.dump) else { throw .missingFile(Entry.dump) }
        // Names that reach SQL text (COPY takes no bind parameter) are plain identifiers.
        let identifiers = manifest.tables.flatMap { [$0.name] + $0.columns } + manifest.grants.map(\.relation)
        guard identifiers.allSatisfy(isPlainIdentifier), manifest.secrets.file.map({ $0 == Entry.secrets && listed.contains($0) }) ?? true else {
            throw .notAnArchive
        }
        for file in manifest.files {
            guard names.contains(file.name) else { throw .missingFile(file.name) }
            guard sha256(of: work.appendingPathComponent(file.name)) == file.sha256 else { throw .corruptFile(file.name) }
        }
        return manifest
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    static func sha256(of url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Platform-sealed secrets sealed again with this platform's key, as bytea text.
    private func resealPlatformColumns(_ secrets: SealedSecrets) throws -> SealedSecrets {
        var result = secrets
        for (table, rows) in secrets.tables {
            for (position, column) in rows.columns.enumerated() {
                let name = "\(table).\(column)"
                guard ArchiveSecrets.columns.contains(where: { $0.qualifiedName == name && $0.platformSealed }) else { continue }
                guard let seal = platformSeals[name] else { throw ArchiveError.secretUnreadable(name) }
                for (row, values) in rows.rows {
                    guard let value = values[position] else { continue }
                    guard let plain = Data(base64Encoded: value) else { throw ArchiveError.wrongKey }
                    result.tables[table]?.rows[row]?[position] = "\\x" + ArchiveText.hex(try seal.seal(plain))
                }
            }
        }
        return result
    }

    /// The transaction's work: checks that nothing here already has this code, slug or schema,
    /// then writes the registry row, role, schema, data and grants. Returns the rows loaded.
    private func load(
        _ manifest: ArchiveManifest, slug: String, code: DepartementCode, secrets: SealedSecrets?,
        from work: URL, runner: MigrationRunner, on connection: PostgresConnection
    ) async throws -> Int {
        let schema = manifest.schema
        let role = layout.tenantRole(for: code)
        if let taken = try await connection.query("SELECT slug FROM shared.tenants WHERE insee_code = \(code.value)", logger: logger)
            .collect().first {
            throw ArchiveError.codeTaken(code: code.value, slug: try taken.decode(String.self))
        }
        if try await !connection.query("SELECT 1 FROM shared.tenants WHERE slug = \(slug)", logger: logger).collect().isEmpty {
            throw ArchiveError.slugTaken(slug)
        }
        if try await !connection.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", logger: logger).collect().isEmpty {
            throw ArchiveError.schemaExists(schema)
        }
        let departement = manifest.departement
        let id = try await connection.query(
            """
            INSERT INTO shared.tenants (slug, name, insee_code, time_zone)
            VALUES (\(slug), \(departement.name), \(code.value), \(departement.timeZone)) RETURNING id
            """,
            logger: logger
        ).collect()[0].decode(Int.self)
        try await connection.query("INSERT INTO shared.memberships (tenant_id) VALUES (\(id))", logger: logger)
        try await connection.query(
            """
            INSERT INTO shared.consortium_audit_events (action, tenant_id, details)
            VALUES ('tenant.imported', \(id), jsonb_build_object('via', 'archive', 'exported_at', \(manifest.exportedAt)::text,
                    'schema_version', \(manifest.schemaVersion)::int, 'secrets', \(secrets != nil)::boolean))
            """,
            logger: logger
        )
        try await runner.prepareTenantSchema(schema: schema, role: role, on: connection)
        for migration in manifest.migrations {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO \(quoted(schema)).schema_migrations (version, file_name, checksum) VALUES ($1, $2, $3)",
                    binds: try binds(migration.version, migration.fileName, migration.checksum)
                ),
                logger: logger
            )
        }
        let rows = try await ArchiveDumpLoader(
            manifest: manifest, secrets: secrets, connection: connection, logger: logger
        ).load(work.appendingPathComponent(Entry.dump))
        try await grant(manifest.grants, schema: schema, tenantRole: role, on: connection)
        return rows
    }

    /// The source's privileges, given to this platform's roles of the same kind.
    private func grant(_ grants: [ArchiveManifest.Grant], schema: String, tenantRole: String, on connection: PostgresConnection) async throws {
        let roles = "\(quoted(tenantRole)), \(quoted(layout.appRole))"
        try await connection.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON ALL TABLES IN SCHEMA \(quoted(schema)) FROM \(roles)"), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON ALL SEQUENCES IN SCHEMA \(quoted(schema)) FROM \(roles)"), logger: logger)
        let allowed: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "USAGE"]
        for grant in grants {
            guard let grantee = ["tenant": tenantRole, "app": layout.appRole][grant.grantee],
                  !grant.privileges.isEmpty, grant.privileges.allSatisfy(allowed.contains) else {
                throw ArchiveError.unexpectedStatement("GRANT \(grant.privileges.joined(separator: ", ")) TO \(grant.grantee)")
            }
            let kind = try await connection.query(
                "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = \(schema) AND c.relname = \(grant.relation)",
                logger: logger
            ).collect().first?.decode(String.self)
            guard let kind else { throw ArchiveError.unexpectedStatement("GRANT ON \(grant.relation)") }
            try await connection.query(
                PostgresQuery(unsafeSQL: "GRANT \(grant.privileges.joined(separator: ", ")) ON \(kind == "S" ? "SEQUENCE" : "TABLE") \(quoted(schema)).\(quoted(grant.relation)) TO \(quoted(grantee))"),
                logger: logger
            )
        }
    }
}
