import Foundation
import Logging
import PostgresNIO

/// Offboarding a département with its data: `export` writes one tar file (a plain SQL dump
/// that `psql` restores on a bare PostgreSQL 15, one CSV per table, a data dictionary and a
/// manifest of SHA-256 sums); `import` restores it into another platform, with the target's
/// roles, after checking every sum. Both run as the owner role; the command line and, later,
/// the operator console's jobs call them.
public struct TenantArchive: Sendable {
    let owner: OwnerDatabase
    let catalog: MigrationCatalog
    /// How to open and seal again the platform-sealed columns, keyed `table.column`
    /// (see `ArchiveSecrets.columns`); needed only to export or import sealed secrets.
    let platformSeals: [String: PlatformSeal]

    public init(owner: OwnerDatabase, catalog: MigrationCatalog, platformSeals: [String: PlatformSeal] = [:]) {
        self.owner = owner
        self.catalog = catalog
        self.platformSeals = platformSeals
    }

    var logger: Logger { owner.logger }
    var layout: DatabaseLayout { owner.layout }

    /// Names of the files of an archive.
    enum Entry {
        static let manifest = "manifest.json"
        static let readme = "README.md"
        static let dump = "dump.sql"
        static let secrets = "secrets.sealed"
        static func csv(_ table: String) -> String { "csv/\(table).csv" }
    }

    /// The COPY line of `dump.sql` for one table; an import recognises exactly these.
    static func copyStatement(schema: String, table: String, columns: [String]) -> String {
        "COPY \(quoted(schema)).\(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) FROM stdin;"
    }
}

/// What an export wrote.
public struct ArchiveExport: Sendable {
    public let manifest: ArchiveManifest
    public let archiveBytes: Int
    public var totalRows: Int { manifest.tables.reduce(0) { $0 + $1.rows } }
}

/// What an import restored.
public struct ArchiveImport: Sendable {
    public let tenant: Tenant
    public let totalRows: Int
    public let secretsRestored: Bool
    /// Migrations applied after loading, when the archive came from an older schema.
    public let migrationsApplied: [String]
}

/// Runs the PostgreSQL client tools of the server binaries' folder as the owner role.
enum PostgresTool {
    static func run(_ tool: String, _ arguments: [String], as configuration: PostgresClient.Configuration) throws(ArchiveError) {
        let bin: String
        do { bin = try EmbeddedPostgres.binDirectory() } catch {
            throw .toolFailed(tool: tool, output: String(describing: error))
        }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(connectionEnvironment(configuration)) { $1 }
        let result: (status: Int32, output: String)
        do { result = try Subprocess.run([bin + "/" + tool] + arguments, environment: environment) } catch {
            throw .toolFailed(tool: tool, output: String(describing: error))
        }
        guard result.status == 0 else { throw .toolFailed(tool: tool, output: result.output) }
    }

    /// libpq's variables for a PostgresNIO configuration (a Unix socket's folder is its host).
    static func connectionEnvironment(_ configuration: PostgresClient.Configuration) -> [String: String] {
        var environment = ["PGUSER": configuration.username, "PGDATABASE": configuration.database ?? configuration.username]
        if let socket = configuration.unixSocketPath {
            let url = URL(fileURLWithPath: socket)
            environment["PGHOST"] = url.deletingLastPathComponent().path
            environment["PGPORT"] = url.lastPathComponent.split(separator: ".").last.map(String.init) ?? "5432"
        } else {
            environment["PGHOST"] = configuration.host
            environment["PGPORT"] = configuration.port.map(String.init) ?? "5432"
        }
        if let password = configuration.password { environment["PGPASSWORD"] = password }
        return environment
    }
}
