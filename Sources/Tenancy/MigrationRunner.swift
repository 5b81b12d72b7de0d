import Logging
import PostgresNIO

/// What happened to one schema during a run.
public struct SchemaOutcome: Sendable {
    public let schema: String
    /// Files applied by this run, in order.
    public let applied: [String]
    public let error: MigrationError?

    public var succeeded: Bool { error == nil }
}

/// One step of a multi-schema run, for progress displays.
public struct MigrationProgress: Sendable {
    public let done: Int
    public let total: Int
    public let outcome: SchemaOutcome
}

/// Applies SQL migrations as the owner role: schema `shared` first, then each département.
public struct MigrationRunner: Sendable {
    let database: OwnerDatabase
    public let catalog: MigrationCatalog
    /// How many départements migrate at once.
    public let jobs: Int

    public init(database: OwnerDatabase, catalog: MigrationCatalog, jobs: Int = 4) {
        self.database = database
        self.catalog = catalog
        self.jobs = max(1, jobs)
    }

    private var client: DatabasePool { database.client }
    private var logger: Logger { database.logger }
    private var layout: DatabaseLayout { database.layout }

    /// Key of the advisory lock that serialises runners on one database.
    static let lockKey: Int64 = 7_262_026

    /// Runs `body` while holding the migration lock; a second runner waits here.
    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let value = try await body()
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Migrates `shared`, then every département of the registry. Holds the lock throughout.
    public func migrateEverything(
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> [SchemaOutcome] {
        try await withLock { try await migrateEverythingHoldingLock(progress: progress) }
    }

    /// `migrateEverything` for a caller that already holds the lock (it is not re-entrant
    /// across pooled connections).
    public func migrateEverythingHoldingLock(
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> [SchemaOutcome] {
        let shared = try await migrateShared()
        guard shared.succeeded else { return [shared] }
        let codes = try await registeredCodes()
        return [shared] + (await migrateTenants(codes, progress: progress))
    }

    /// Creates and migrates schema `shared`. Call inside `withLock`.
    public func migrateShared() async throws -> SchemaOutcome {
        let schema = "shared"
        let app = quoted(layout.appRole)
        try await client.withConnection { connection in
            try await connection.inTransaction(logger: logger) {
                try await execute("CREATE SCHEMA IF NOT EXISTS shared", on: connection)
                try await execute("GRANT USAGE ON SCHEMA shared TO \(app)", on: connection)
                try await execute("ALTER DEFAULT PRIVILEGES IN SCHEMA shared GRANT SELECT ON TABLES TO \(app)", on: connection)
                try await createVersionTable(in: schema, hiddenFrom: nil, on: connection)
            }
        }
        return await migrate(schema: schema, tenantRole: nil, with: catalog.shared)
    }

    /// Migrates each département with at most `jobs` at once; one failure does not stop the others.
    public func migrateTenants(
        _ codes: [DepartementCode],
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async -> [SchemaOutcome] {
        await withTaskGroup(of: SchemaOutcome.self) { group in
            var pending = codes[...]
            var outcomes: [SchemaOutcome] = []
            for _ in 0..<jobs {
                guard let code = pending.popFirst() else { break }
                group.addTask { await migrateTenant(code) }
            }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                progress(MigrationProgress(done: outcomes.count, total: codes.count, outcome: outcome))
                if let code = pending.popFirst() {
                    group.addTask { await migrateTenant(code) }
                }
            }
            return outcomes
        }
    }

    /// Creates the département's role and schema when missing, then applies pending files.
    public func migrateTenant(_ code: DepartementCode) async -> SchemaOutcome {
        let schema = code.schemaName
        let role = layout.tenantRole(for: code)
        do {
            try await prepareTenantSchema(schema: schema, role: role)
        } catch {
            return SchemaOutcome(
                schema: schema, applied: [],
                error: .failed(file: "(preparation)", schema: schema, reason: describe(error))
            )
        }
        return await migrate(schema: schema, tenantRole: role, with: catalog.tenant)
    }

    /// Role and schema of a département, with the least privileges its role needs:
    /// USAGE on its own schema and DML on the tables created there, nothing elsewhere.
    private func prepareTenantSchema(schema: String, role: String) async throws {
        try await client.withConnection { connection in
            try await connection.inTransaction(logger: logger) {
                try await prepareTenantSchema(schema: schema, role: role, on: connection)
            }
        }
    }

    /// `prepareTenantSchema` inside the caller's transaction (an archive import creates the
    /// schema and loads it in one).
    func prepareTenantSchema(schema: String, role: String, on connection: PostgresConnection) async throws {
        let exists = try await connection.query(
            "SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger
        ).collect()
        if exists.isEmpty {
            try await execute("CREATE ROLE \(quoted(role)) NOLOGIN", on: connection)
        }
        try await execute("GRANT \(quoted(role)) TO \(quoted(layout.appRole))", on: connection)
        try await execute("CREATE SCHEMA IF NOT EXISTS \(quoted(schema))", on: connection)
        try await execute("REVOKE ALL ON SCHEMA \(quoted(schema)) FROM PUBLIC", on: connection)
        try await execute("GRANT USAGE ON SCHEMA \(quoted(schema)) TO \(quoted(role))", on: connection)
        try await createVersionTable(in: schema, hiddenFrom: role, on: connection)
        try await execute(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA \(quoted(schema)) GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(quoted(role))",
            on: connection
        )
        try await execute(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA \(quoted(schema)) GRANT USAGE, SELECT ON SEQUENCES TO \(quoted(role))",
            on: connection
        )
    }

    private func createVersionTable(in schema: String, hiddenFrom role: String?, on connection: PostgresConnection) async throws {
        try await execute(
            """
            CREATE TABLE IF NOT EXISTS \(quoted(schema)).schema_migrations (
                version integer PRIMARY KEY,
                file_name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            on: connection
        )
        if let role {
            try await execute("REVOKE ALL ON \(quoted(schema)).schema_migrations FROM \(quoted(role))", on: connection)
        }
    }

    /// Applies each pending file in its own transaction; stops this schema at the first failure.
    private func migrate(schema: String, tenantRole: String?, with migrations: [Migration]) async -> SchemaOutcome {
        var applied: [String] = []
        do {
            try await client.withConnection { connection in
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT version, checksum FROM \(quoted(schema)).schema_migrations"),
                    logger: logger
                )
                var recorded: [Int: String] = [:]
                for try await (version, checksum) in rows.decode((Int, String).self) {
                    recorded[version] = checksum
                }
                let known = Set(migrations.map(\.version))
                if let stray = recorded.keys.sorted().first(where: { !known.contains($0) }) {
                    throw MigrationError.unknownAppliedVersion(version: stray, schema: schema)
                }
                for migration in migrations {
                    if let checksum = recorded[migration.version] {
                        guard checksum == migration.checksum else {
                            throw MigrationError.changedFile(file: migration.fileName, schema: schema)
                        }
                        continue
                    }
                    try await apply(migration, to: schema, tenantRole: tenantRole, on: connection)
                    applied.append(migration.fileName)
                    logger.info("migration applied", metadata: ["schema": .string(schema), "file": .string(migration.fileName)])
                }
            }
            return SchemaOutcome(schema: schema, applied: applied, error: nil)
        } catch let error as MigrationError {
            return SchemaOutcome(schema: schema, applied: applied, error: error)
        } catch {
            return SchemaOutcome(
                schema: schema, applied: applied,
                error: .failed(file: "(schema_migrations)", schema: schema, reason: describe(error))
            )
        }
    }

    private func apply(_ migration: Migration, to schema: String, tenantRole: String?, on connection: PostgresConnection) async throws {
        do {
            try await connection.inTransaction(logger: logger) {
                try await connection.query("SELECT set_config('search_path', \(schema), true)", logger: logger)
                // Role names are deployment-specific; migrations that grant or revoke read them from here.
                try await connection.query("SELECT set_config('rdv.app_role', \(layout.appRole), true)", logger: logger)
                try await connection.query("SELECT set_config('rdv.tenant_role', \(tenantRole ?? ""), true)", logger: logger)
                for statement in SQLScript.statements(in: migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO \(quoted(schema)).schema_migrations (version, file_name, checksum) VALUES ($1, $2, $3)",
                        binds: try binds(migration.version, migration.fileName, migration.checksum)
                    ),
                    logger: logger
                )
            }
        } catch {
            throw MigrationError.failed(file: migration.fileName, schema: schema, reason: describe(error))
        }
    }

    private func registeredCodes() async throws -> [DepartementCode] {
        let rows = try await client.query("SELECT insee_code FROM shared.tenants ORDER BY insee_code", logger: logger)
        var codes: [DepartementCode] = []
        for try await raw in rows.decode(String.self) {
            if let code = DepartementCode(raw) { codes.append(code) }
        }
        return codes
    }

    private func execute(_ sql: String, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }
}

func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
    var bindings = PostgresBindings()
    for value in values { try bindings.append(value) }
    return bindings
}

/// A database error in words, with the server's message when there is one.
public func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let message = error.serverInfo?[.message] {
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return message + detail
        }
        return String(reflecting: error)
    }
    return String(describing: error)
}
