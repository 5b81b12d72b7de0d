import Logging
import PostgresNIO

/// What an export reads from PostgreSQL's catalog about a département's schema: its tables
/// and columns (for the COPY blocks, the CSV files and the data dictionary), the privileges of
/// its roles, its sequences and applied migrations.
struct ArchiveCatalog {
    struct Column {
        let name: String
        let type: String
        let notNull: Bool
        let comment: String?
    }

    struct Table {
        let name: String
        let comment: String?
        var columns: [Column]
    }

    var tables: [Table]
    var grants: [ArchiveManifest.Grant]
    var sequences: [(name: String, lastValue: Int?)]
    var migrations: [ArchiveManifest.AppliedMigration]

    /// The version table belongs to the platform: it travels in the manifest, not as data.
    static let versionTable = "schema_migrations"

    static func read(
        schema: String, tenantRole: String, appRole: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> ArchiveCatalog {
        var tables: [Table] = []
        let columns = try await connection.query(
            """
            SELECT c.relname::text, obj_description(c.oid, 'pg_class'), a.attname::text,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(c.oid, a.attnum)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p') AND c.relname <> \(versionTable)
            ORDER BY c.relname, a.attnum
            """,
            logger: logger
        )
        for try await (table, tableComment, name, type, notNull, comment) in columns.decode(
            (String, String?, String, String, Bool, String?).self
        ) {
            if tables.last?.name != table { tables.append(Table(name: table, comment: tableComment, columns: [])) }
            tables[tables.count - 1].columns.append(Column(name: name, type: type, notNull: notNull, comment: comment))
        }

        var grants: [ArchiveManifest.Grant] = []
        let acl = try await connection.query(
            """
            SELECT c.relname::text, r.rolname::text, array_agg(DISTINCT acl.privilege_type ORDER BY acl.privilege_type)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(c.relacl) acl
            JOIN pg_roles r ON r.oid = acl.grantee
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p', 'S') AND r.rolname IN (\(tenantRole), \(appRole))
              AND c.relname <> \(versionTable)
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            logger: logger
        )
        for try await (relation, role, privileges) in acl.decode((String, String, [String]).self) {
            grants.append(.init(relation: relation, grantee: role == tenantRole ? "tenant" : "app", privileges: privileges))
        }

        var sequences: [(String, Int?)] = []
        let sequenceRows = try await connection.query(
            "SELECT sequencename::text, last_value FROM pg_sequences WHERE schemaname = \(schema) ORDER BY 1", logger: logger
        )
        for try await (name, lastValue) in sequenceRows.decode((String, Int?).self) {
            sequences.append((name, lastValue))
        }

        var migrations: [ArchiveManifest.AppliedMigration] = []
        let applied = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT version, file_name, checksum FROM \(quoted(schema)).\(versionTable) ORDER BY version"),
            logger: logger
        )
        for try await (version, fileName, checksum) in applied.decode((Int, String, String).self) {
            migrations.append(.init(version: version, fileName: fileName, checksum: checksum))
        }
        return ArchiveCatalog(tables: tables, grants: grants, sequences: sequences, migrations: migrations)
    }
}
