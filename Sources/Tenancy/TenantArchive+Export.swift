import Crypto
import Foundation
import PostgresNIO

extension TenantArchive {
    /// Writes the archive of `tenant` to `destination` (a tar file), from one snapshot: the
    /// rows are read in one repeatable-read transaction whose snapshot `pg_dump` shares.
    /// Secret columns are left out, or sealed under `key` in `secrets.sealed`.
    /// The file appears only once complete.
    public func export(tenant: Tenant, to destination: URL, sealingSecretsWith key: ArchiveSealingKey? = nil) async throws -> ArchiveExport {
        let work = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let exportedAt = ISO8601DateFormatter().string(from: Date())
        let schema = tenant.schemaName

        let (catalog, files, tables, secrets) = try await owner.client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            do {
                // Values printed the same way on every platform.
                for setting in ["TimeZone = 'UTC'", "DateStyle = 'ISO, YMD'", "IntervalStyle = 'postgres'", "extra_float_digits = 3", "bytea_output = 'hex'"] {
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL \(setting)"), logger: logger)
                }
                let snapshot = try await connection.query("SELECT pg_export_snapshot()", logger: logger).collect()[0].decode(String.self)
                let catalog = try await ArchiveCatalog.read(
                    schema: schema, tenantRole: layout.tenantRole(for: tenant.code), appRole: layout.appRole, on: connection, logger: logger
                )
                let preData = try dumpSection("pre-data", schema: schema, snapshot: snapshot, into: work)
                let postData = try dumpSection("post-data", schema: schema, snapshot: snapshot, into: work)
                let result = try await writeData(
                    catalog: catalog, schema: schema, preData: preData, postData: postData,
                    sealing: key != nil, into: work, on: connection
                )
                try await connection.query("COMMIT", logger: logger)
                return (catalog, result.files, result.tables, result.secrets)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }

        var allFiles = files
        if let key {
            let sealed = try secrets.sealed(with: key, code: tenant.code.value, exportedAt: exportedAt)
            let writer = try HashingWriter(name: Entry.secrets, in: work)
            writer.write(bytes: sealed)
            allFiles.append(try writer.finish())
        }
        let readme = try HashingWriter(name: Entry.readme, in: work)
        readme.write(ArchiveDictionary.text(tenant: tenant, catalog: catalog, tables: tables, sealed: key != nil, exportedAt: exportedAt))
        allFiles.insert(try readme.finish(), at: 0)

        let manifest = ArchiveManifest(
            format: ArchiveManifest.formatName, formatVersion: ArchiveManifest.currentFormatVersion, exportedAt: exportedAt,
            departement: .init(
                code: tenant.code.value, name: tenant.name, slug: tenant.slug, timeZone: tenant.timeZone, customDomains: tenant.customDomains
            ),
            schema: schema, schemaVersion: catalog.migrations.map(\.version).max() ?? 0, migrations: catalog.migrations,
            tables: tables, grants: catalog.grants,
            secrets: .init(sealed: key != nil, cipher: key == nil ? nil : SealedSecrets.cipher, file: key == nil ? nil : Entry.secrets),
            files: allFiles
        )
        try ArchiveManifest.encoder.encode(manifest).write(to: work.appendingPathComponent(Entry.manifest))

        let partial = work.appendingPathComponent("archive.tar")
        try TarFile.write(
            ([Entry.manifest] + allFiles.map(\.name)).map { ($0, work.appendingPathComponent($0)) }, to: partial
        )
        _ = try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: partial, to: destination)
        let size = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? Int) ?? 0
        return ArchiveExport(manifest: manifest, archiveBytes: size)
    }

    /// One section of `pg_dump`'s plain output for the schema, from the exported snapshot,
    /// without owners or grants (roles differ from one platform to the next) and without the
    /// version table (the manifest carries it).
    private func dumpSection(_ section: String, schema: String, snapshot: String, into work: URL) throws -> URL {
        let file = work.appendingPathComponent("\(section).sql")
        try PostgresTool.run("pg_dump", [
            "--schema=\(schema)", "--exclude-table=\(schema).\(ArchiveCatalog.versionTable)", "--section=\(section)",
            "--snapshot=\(snapshot)", "--no-owner", "--no-privileges", "--file=\(file.path)",
        ], as: owner.configuration)
        return file
    }

    /// Writes `dump.sql` (prelude, pg_dump's pre-data, one COPY block per table, sequence
    /// values, post-data) and the CSV files, reading each table once.
    private func writeData(
        catalog: ArchiveCatalog, schema: String, preData: URL, postData: URL, sealing: Bool, into work: URL, on connection: PostgresConnection
    ) async throws -> (files: [ArchiveManifest.File], tables: [ArchiveManifest.Table], secrets: SealedSecrets) {
        let dump = try HashingWriter(name: Entry.dump, in: work)
        dump.write("""
            -- Archive du département, schéma \(schema) : restaurable avec
            --   psql -v ON_ERROR_STOP=1 --single-transaction -f dump.sql
            -- sur un PostgreSQL 15 nu. Les colonnes secrètes sont vides (ou aléatoires quand elles
            -- ne peuvent pas l’être) : voir README.md.
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            -- btree_gist sert la contrainte d’exclusion des rendez-vous (rdv_agents).
            CREATE SCHEMA IF NOT EXISTS extensions;
            CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions;

            """)
        try dump.write(bytes: Data(contentsOf: preData))
        var files: [ArchiveManifest.File] = []
        var tables: [ArchiveManifest.Table] = []
        var secrets = SealedSecrets()
        for table in catalog.tables {
            let secretColumns = ArchiveSecrets.columns(of: table.name).filter { secret in table.columns.contains { $0.name == secret.column } }
            let secretNames = Set(secretColumns.map(\.column))
            let csv = try HashingWriter(name: Entry.csv(table.name), in: work)
            csv.withBuffer { out in
                let kept = table.columns.filter { !secretNames.contains($0.name) }
                for (index, column) in kept.enumerated() {
                    if index > 0 { out.append(0x2C) }
                    ArchiveText.appendCSV(text: column.name, to: &out)
                }
                out.append(contentsOf: [0x0D, 0x0A])
            }
            dump.write("\n" + Self.copyStatement(schema: schema, table: table.name, columns: table.columns.map(\.name)) + "\n")
            let select = table.columns.map { column in
                secretNames.contains(column.name) && !sealing ? "NULL::text" : "\(quoted(column.name))::text"
            }.joined(separator: ", ")
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(select) FROM \(quoted(schema)).\(quoted(table.name))"), logger: logger
            )
            let secretIndexes = table.columns.indices.filter { secretNames.contains(table.columns[$0].name) }
            var sealedRows: [String: [String?]] = [:]
            var count = 0
            for try await row in rows {
                var secretValues: [String?] = []
                dump.withBuffer { out in
                    for (index, cell) in row.enumerated() {
                        if index > 0 { out.append(0x09) }
                        if secretIndexes.contains(index) {
                            secretValues.append(cell.bytes.map { String(buffer: $0) })
                            // Never the value: empty, or a random one where the column may not be empty.
                            let column = table.columns[index]
                            if column.notNull {
                                let random = ArchiveText.hex(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
                                out.append(contentsOf: Array((column.type == "bytea" ? "\\\\x" + random : random).utf8))
                            } else {
                                out.append(contentsOf: [0x5C, 0x4E])
                            }
                        } else {
                            ArchiveText.appendCopy(cell.bytes, to: &out)
                        }
                    }
                    out.append(0x0A)
                }
                csv.withBuffer { out in
                    var first = true
                    for (index, cell) in row.enumerated() where !secretIndexes.contains(index) {
                        if !first { out.append(0x2C) }
                        first = false
                        ArchiveText.appendCSV(cell.bytes, to: &out)
                    }
                    out.append(contentsOf: [0x0D, 0x0A])
                }
                if sealing, secretValues.contains(where: { $0 != nil }) {
                    sealedRows[String(count)] = try zip(secretIndexes, secretValues).map { index, value in
                        try openPlatformSealed(value, column: "\(table.name).\(table.columns[index].name)")
                    }
                }
                count += 1
            }
            dump.write("\\.\n")
            if !sealedRows.isEmpty {
                secrets.tables[table.name] = .init(columns: secretIndexes.map { table.columns[$0].name }, rows: sealedRows)
            }
            files.append(try csv.finish())
            tables.append(.init(name: table.name, columns: table.columns.map(\.name), rows: count, secretColumns: secretColumns.map(\.column)))
        }
        dump.write("\n")
        for sequence in catalog.sequences {
            let name = "\(quoted(schema)).\(quoted(sequence.name))".replacingOccurrences(of: "'", with: "''")
            if let value = sequence.lastValue {
                dump.write("SELECT pg_catalog.setval('\(name)', \(value), true);\n")
            }
        }
        try dump.write(bytes: Data(contentsOf: postData))
        return ([try dump.finish()] + files, tables, secrets)
    }

    /// A platform-sealed value opened with this platform's key, in base64; others as they are.
    private func openPlatformSealed(_ value: String?, column: String) throws -> String? {
        guard let value, let secret = ArchiveSecrets.columns.first(where: { $0.qualifiedName == column }), secret.platformSealed else {
            return value
        }
        guard let seal = platformSeals[column], let sealed = ArchiveText.bytes(ofByteaText: value), let opened = try? seal.open(sealed) else {
            throw ArchiveError.secretUnreadable(column)
        }
        return opened.base64EncodedString()
    }
}
