import Foundation
import Logging
import PostgresNIO
import Synchronization

/// A private PostgreSQL cluster for development and tests: `initdb` on first use, started on a
/// Unix socket in a folder only its owner can enter, stopped by whoever started it.
/// Run as root, the cluster runs as the `postgres` system user (initdb refuses root).
public final class EmbeddedPostgres: Sendable {
    public let rootDirectory: String
    public let dataDirectory: String
    public let socketDirectory: String
    let extraSettings: [String: String]
    let logger: Logger
    private let startedHere = Mutex(false)

    public static let superuser = "postgres"
    public static let ownerRole = "rdv_owner"
    public static let appRole = "rdv_app"

    /// - Parameter rootDirectory: holds `postgres/` (data), `run/` (socket) and `postgres.log`.
    public init(rootDirectory: String, extraSettings: [String: String] = [:], logger: Logger) {
        var root = URL(fileURLWithPath: rootDirectory).standardizedFileURL.path
        if Self.runsAsRoot, !Self.traversableByOthers(root) {
            // The postgres user could not reach a folder under, say, /root: use one it can.
            root = "/var/tmp/rdv-postgres-\(Self.shortHash(root))"
            logger.notice("embedded PostgreSQL moved to a folder the postgres user can reach", metadata: ["path": .string(root)])
        }
        self.rootDirectory = root
        self.dataDirectory = root + "/postgres"
        let socket = root + "/run"
        // A Unix socket path must fit in 107 bytes.
        self.socketDirectory = socket.utf8.count + 20 < 107 ? socket : "/tmp/rdv-pg-\(Self.shortHash(root))"
        self.extraSettings = extraSettings
        self.logger = logger
    }

    /// Starts the cluster, creating it first when needed; reuses one already running there.
    public func start() throws {
        let fileManager = FileManager.default
        for directory in [rootDirectory, socketDirectory] {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o700)
        }
        if Self.runsAsRoot {
            try run("/bin/chown", ["-R", "postgres:postgres", rootDirectory, socketDirectory], asPostgres: false)
        }
        let bin = try Self.binDirectory()
        if !fileManager.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["path": .string(dataDirectory)])
            try run(bin + "/initdb", [
                "-D", dataDirectory, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync",
            ])
        }
        if (try? run(bin + "/pg_ctl", ["status", "-D", dataDirectory])) != nil {
            logger.info("embedded PostgreSQL already running; reusing it")
            return
        }
        var settings = [
            "listen_addresses": "''",
            "unix_socket_directories": "'\(socketDirectory)'",
            "max_connections": "300",
        ]
        settings.merge(extraSettings) { $1 }
        let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        try run(bin + "/pg_ctl", [
            "start", "-D", dataDirectory, "-w", "-t", "60", "-l", rootDirectory + "/postgres.log", "-o", options,
        ])
        startedHere.withLock { $0 = true }
        logger.info("embedded PostgreSQL started", metadata: ["socket": .string(socketDirectory)])
    }

    /// Stops the cluster if this process started it.
    public func stop() {
        guard startedHere.withLock({ $0 }) else { return }
        guard let bin = try? Self.binDirectory() else { return }
        _ = try? run(bin + "/pg_ctl", ["stop", "-D", dataDirectory, "-m", "fast", "-w"])
        startedHere.withLock { $0 = false }
        logger.info("embedded PostgreSQL stopped")
    }

    public func configuration(user: String, database: String) -> PostgresClient.Configuration {
        .init(unixSocketPath: socketDirectory + "/.s.PGSQL.5432", username: user, password: nil, database: database)
    }

    /// Settings for the platform on this cluster, database `name` (created with its roles if missing).
    public func prepareDatabase(named name: String) async throws -> DatabaseSettings {
        try await Self.bootstrap(
            superuser: configuration(user: Self.superuser, database: "postgres"),
            databaseName: name, ownerRole: Self.ownerRole, appRole: Self.appRole, logger: logger
        )
        return DatabaseSettings(
            app: configuration(user: Self.appRole, database: name),
            owner: configuration(user: Self.ownerRole, database: name),
            databaseName: name
        )
    }

    /// Creates the owner role (may create roles), the application login role (NOINHERIT:
    /// it holds no tenant's rights until it has SET ROLE), and the database owned by the owner.
    public static func bootstrap(
        superuser: PostgresClient.Configuration, databaseName: String, ownerRole: String, appRole: String, logger: Logger
    ) async throws {
        let client = PostgresClient(configuration: superuser, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            func exists(_ sql: PostgresQuery) async throws -> Bool {
                try await !client.query(sql, logger: logger).collect().isEmpty
            }
            if try await !exists("SELECT 1 FROM pg_roles WHERE rolname = \(ownerRole)") {
                try await client.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(quoted(ownerRole)) LOGIN CREATEROLE"), logger: logger)
            }
            if try await !exists("SELECT 1 FROM pg_roles WHERE rolname = \(appRole)") {
                try await client.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(quoted(appRole)) LOGIN NOINHERIT"), logger: logger)
            }
            if try await !exists("SELECT 1 FROM pg_database WHERE datname = \(databaseName)") {
                try await client.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted(databaseName)) OWNER \(quoted(ownerRole))"), logger: logger
                )
                try await client.query(PostgresQuery(unsafeSQL: "REVOKE ALL ON DATABASE \(quoted(databaseName)) FROM PUBLIC"), logger: logger)
                try await client.query(
                    PostgresQuery(unsafeSQL: "GRANT CONNECT ON DATABASE \(quoted(databaseName)) TO \(quoted(appRole))"), logger: logger
                )
            }
        }
    }

    // MARK: Processes

    @discardableResult
    private func run(_ executable: String, _ arguments: [String], asPostgres: Bool = true) throws -> String {
        let command = asPostgres && Self.runsAsRoot
            // From "/": the postgres user may not be allowed into the current folder.
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", "/usr/bin/env", "-C", "/", executable] + arguments
            : [executable] + arguments
        let (status, output) = try Subprocess.run(command)
        guard status == 0 else {
            throw EmbeddedPostgresError(command: (executable as NSString).lastPathComponent, output: output)
        }
        return output
    }

    static var runsAsRoot: Bool { getuid() == 0 }

    /// The newest PostgreSQL server binaries: `PG_BIN`, Debian's layout, or PATH.
    public static func binDirectory() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["PG_BIN"] { return configured }
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/initdb") {
            return "\(base)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") {
            return String(directory)
        }
        throw EmbeddedPostgresError(
            command: "initdb",
            output: "PostgreSQL server binaries not found: install Debian's postgresql package, or set PG_BIN"
        )
    }

    /// True when every ancestor of `path` lets other users through.
    static func traversableByOthers(_ path: String) -> Bool {
        var url = URL(fileURLWithPath: path).deletingLastPathComponent()
        while url.path != "/" {
            var info = stat()
            if stat(url.path, &info) == 0, info.st_mode & 0o001 == 0 { return false }
            url.deleteLastPathComponent()
        }
        return true
    }

    static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 36)
    }
}

public struct EmbeddedPostgresError: Error, CustomStringConvertible {
    public let command: String
    public let output: String
    public var description: String { "\(command) failed: \(output)" }
}
