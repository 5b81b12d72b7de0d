import Foundation
@testable import Tenancy

/// A PgBouncer in transaction mode in front of the test cluster, on a Unix socket of its own.
/// Any database name is passed through (`*`), so every test world's database gets its pool.
/// Run as root, it runs as the `postgres` user, like the cluster (PgBouncer refuses root).
struct TestPgBouncer {
    let binary: String
    let directory: String
    let cluster: EmbeddedPostgres
    static let port = 6432

    var socketPath: String { directory + "/.s.PGSQL.\(Self.port)" }
    var pidFile: String { directory + "/pgbouncer.pid" }

    func start(poolSize: Int) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Only the application role comes through here, as in deploy/pgbouncer.ini.
        let configuration = """
            [databases]
            * = host=\(cluster.socketDirectory) port=5432
            [pgbouncer]
            unix_socket_dir = \(directory)
            listen_port = \(Self.port)
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 4000
            max_db_connections = \(poolSize)
            server_reset_query =
            auth_type = trust
            auth_file = \(directory)/userlist.txt
            pidfile = \(pidFile)
            logfile = \(directory)/pgbouncer.log
            log_connections = 0
            log_disconnections = 0
            autodb_idle_timeout = 60

            """
        try configuration.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"\(EmbeddedPostgres.appRole)\" \"\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
        let asRoot = getuid() == 0
        if asRoot {
            try run(["/bin/chown", "-R", "postgres:postgres", directory])
        }
        let command = [binary, "-d", directory + "/pgbouncer.ini"]
        try run(asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", "/usr/bin/env", "-C", "/"] + command : command)
        // -d returns once it has forked; wait for the socket it listens on.
        for _ in 0..<200 where !fileManager.fileExists(atPath: socketPath) {
            usleep(50_000)
        }
        guard fileManager.fileExists(atPath: socketPath) else {
            throw TestWorldError.database("PgBouncer did not start: see \(directory)/pgbouncer.log")
        }
    }

    /// Through `Subprocess` (posix_spawn and waitpid): Foundation's `Process` misses the exit
    /// of a child inside the test runner.
    private func run(_ arguments: [String]) throws {
        let (status, output) = try Subprocess.run(arguments)
        guard status == 0 else {
            throw TestWorldError.database("\(arguments.joined(separator: " ")) exited with \(status): \(output)")
        }
    }
}
