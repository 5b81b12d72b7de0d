import Foundation
import Logging
import Tenancy

/// One throwaway PostgreSQL cluster per test run, started on first use and stopped at exit.
/// Durability is switched off: the data dies with the run anyway.
public enum TestCluster {
    nonisolated(unsafe) private static var dataDirectoryForExit: String?

    private static let started: Task<EmbeddedPostgres, any Error> = Task {
        let root = NSTemporaryDirectory() + "rdv-tests-\(getpid())"
        let cluster = EmbeddedPostgres(
            rootDirectory: root,
            extraSettings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"],
            logger: Logger(label: "rdv.tests.cluster")
        )
        try cluster.start()
        dataDirectoryForExit = cluster.rootDirectory
        atexit {
            guard let root = TestCluster.dataDirectoryForExit,
                  let bin = try? EmbeddedPostgres.binDirectory() else { return }
            let asPostgres = getuid() == 0 ? "runuser -u postgres -- " : ""
            _ = system("\(asPostgres)\(bin)/pg_ctl stop -D \(root)/postgres -m immediate >/dev/null 2>&1; rm -rf \(root)")
        }
        return cluster
    }

    public static func cluster() async throws -> EmbeddedPostgres {
        try await started.value
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
                return try await TestCluster.cluster().prepareDatabase(named: name)
            }
            tail = Task { _ = try? await creation.value }
            return try await creation.value
        }
    }
}
