import Foundation
import Logging
import Tenancy

/// One throwaway PostgreSQL cluster per test run, started on first use and stopped at exit.
/// Durability is switched off: the data dies with the run anyway.
///
/// With `RDV_TEST_PGBOUNCER=/path/to/pgbouncer`, a PgBouncer in transaction mode runs in front
/// of the cluster and the application role's connections go through it (the owner role's stay
/// direct, as in production): `scripts/pgbouncer-drill` runs the isolation suites that way.
public enum TestCluster {
    nonisolated(unsafe) private static var dataDirectoryForExit: String?
    nonisolated(unsafe) private static var poolerPidFileForExit: String?

    /// The PgBouncer binary the environment asks for, if any.
    public static let pgBouncerBinary: String? = {
        let value = ProcessInfo.processInfo.environment["RDV_TEST_PGBOUNCER"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Server connections PgBouncer keeps per database and user: fewer than the application's
    /// pool (40), so that server connections really pass from one client to the next.
    public static let pgBouncerPoolSize = 8

    private static let started: Task<EmbeddedPostgres, any Error> = Task {
        let root = NSTemporaryDirectory() + "rdv-tests-\(getpid())"
        let cluster = EmbeddedPostgres(
            rootDirectory: root,
            extraSettings: [
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                // Suites run side by side, each world with its own pools: 300 slots ran out on a
                // cold run where every suite started at once.
                "max_connections": "1000",
            ],
            logger: Logger(label: "rdv.tests.cluster")
        )
        try cluster.start()
        dataDirectoryForExit = cluster.rootDirectory
        atexit {
            guard let root = TestCluster.dataDirectoryForExit,
                  let bin = try? EmbeddedPostgres.binDirectory() else { return }
            if let pidFile = TestCluster.poolerPidFileForExit {
                _ = system("kill -9 $(cat \(pidFile)) >/dev/null 2>&1")
            }
            let asPostgres = getuid() == 0 ? "runuser -u postgres -- " : ""
            _ = system("\(asPostgres)\(bin)/pg_ctl stop -D \(root)/postgres -m immediate >/dev/null 2>&1; rm -rf \(root)")
        }
        return cluster
    }

    public static func cluster() async throws -> EmbeddedPostgres {
        try await started.value
    }

    /// The Unix socket of the PgBouncer in front of the cluster, when one was asked for.
    public static func pgBouncerSocket() async throws -> String? {
        try await pooler.value
    }

    private static let pooler: Task<String?, any Error> = Task {
        guard let binary = pgBouncerBinary else { return nil }
        let cluster = try await started.value
        let pooler = TestPgBouncer(binary: binary, directory: cluster.rootDirectory + "/pgbouncer", cluster: cluster)
        try pooler.start(poolSize: pgBouncerPoolSize)
        poolerPidFileForExit = pooler.pidFile
        return pooler.socketPath
    }

    /// A new database with the platform's roles. One at a time: concurrent CREATE DATABASE
    /// statements that copy one template fail with "source database is being accessed".
    public static func makeDatabase(named name: String) async throws -> DatabaseSettings {
        try await creator.make(name)
    }

    private static let creator = DatabaseCreator()

    /// Chains creations one after the other (an actor alone would interleave at each await).
    private actor DatabaseCreator {
        private var tail: Task<Void, Never> = Task {}

        func make(_ name: String) async throws -> DatabaseSettings {
            let previous = tail
            let creation = Task {
                await previous.value
                var settings = try await TestCluster.cluster().prepareDatabase(named: name)
                if let socket = try await TestCluster.pgBouncerSocket() {
                    settings.app = .init(unixSocketPath: socket, username: settings.app.username, password: nil, database: name)
                }
                // Hundreds of databases busy at once on two cores: a probe may wait its turn.
                settings.appHosts.probeTimeout = .seconds(30)
                settings.ownerHosts?.probeTimeout = .seconds(30)
                return settings
            }
            tail = Task { _ = try? await creation.value }
            return try await creation.value
        }
    }
}
