import Logging
import Synchronization
import PostgresNIO
import ServiceLifecycle

/// The connections of one role: a `PostgresClient` per host of its URL, and a `PrimarySelector`
/// that says which host takes the work (the primary, after a failover the promoted standby) and
/// learns of a lost host from the errors of the work itself. The work waits a bounded time for a
/// connection, then fails with `DatabaseUnavailable` (answered 503) instead of hanging. One host
/// goes the same way: while it is down or restarting, callers are refused at once after a probe
/// instead of queueing behind the pool's reconnection attempts (scripts/database-drill restart).
final class DatabasePool: Sendable {
    let hosts: DatabaseHosts
    private let clients: [PostgresClient]
    private let selector: PrimarySelector
    private let leased: LeasedConnections
    private let logger: Logger

    /// How long work waits for a connection of the primary before it is refused:
    /// long enough for a busy pool, short enough that a request does not hang on a lost host.
    static let leaseDeadline: Duration = .seconds(10)

    init(hosts: DatabaseHosts, maximumConnections: Int, logger: Logger) {
        self.hosts = hosts
        self.clients = hosts.configurations.map { configuration in
            var configuration = configuration
            configuration.options.maximumConnections = maximumConnections
            return PostgresClient(configuration: configuration, backgroundLogger: logger)
        }
        let leased = LeasedConnections()
        self.leased = leased
        self.selector = PrimarySelector(hosts: hosts, leased: leased, logger: logger)
        self.logger = logger
    }

    /// Runs every host's client (and the selector's probes) until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for client in clients {
                group.addTask { await client.run() }
            }
            group.addTask { await self.selector.run() }
        }
    }

    /// The configuration of the host that takes the work now (the first one until a choice is made),
    /// for PostgreSQL's own programs that must reach the same server (`pg_dump --snapshot`).
    var currentConfiguration: PostgresClient.Configuration {
        hosts.configurations[selector.current ?? 0]
    }

    /// Lends a connection of the host that takes the work for the span of `body`.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let index = try await selector.primary()
        let leased = self.leased
        do {
            return try await Self.leasing(from: clients[index], within: Self.leaseDeadline) { connection in
                leased.lent(connection, on: index)
                defer { leased.returned(connection, on: index) }
                return try await body(connection)
            }
        } catch {
            selector.workFailed(on: index, error)
            throw error
        }
    }

    /// Runs one statement on the host that takes the work.
    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        let index = try await selector.primary()
        let client = clients[index]
        do {
            // The rows stream after this returns; the deadline covers the lease and the start.
            return try await withDeadline(Self.leaseDeadline) {
                try await client.query(query, logger: logger, file: file, line: line)
            }
        } catch {
            selector.workFailed(on: index, error)
            throw error
        }
    }

    /// Leases a connection from `client` in a child task that hands it over and holds the lease
    /// until `body` is done, so that only the wait for the connection has a deadline.
    private static func leasing<T>(
        from client: PostgresClient, within deadline: Duration, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (handover, handing) = AsyncStream<Result<PostgresConnection, any Error>>.makeStream()
        let (release, releasing) = AsyncStream<Never>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await client.withConnection { connection in
                        handing.yield(.success(connection))
                        for await _ in release {}
                    }
                } catch {
                    handing.yield(.failure(error))
                }
            }
            let timer = Task {
                try await Task.sleep(for: deadline)
                handing.yield(.failure(DatabaseUnavailable("aucune connexion à PostgreSQL en \(deadline)")))
            }
            defer { timer.cancel() }
            var iterator = handover.makeAsyncIterator()
            guard let first = await iterator.next() else {
                group.cancelAll()
                throw CancellationError()
            }
            timer.cancel()
            let connection: PostgresConnection
            switch first {
            case .success(let leased): connection = leased
            case .failure(let error):
                // Cancels the lease still waiting, if the deadline came first.
                group.cancelAll()
                releasing.finish()
                throw error
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(connection)) } catch { result = .failure(error) }
            releasing.finish()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

/// Runs `work`, or fails with `DatabaseUnavailable` once `deadline` has passed. The work runs in a
/// task of its own that is cancelled, then left behind, at the deadline: PostgresNIO never
/// completes a statement written to a connection that has just closed, and waiting for it would
/// hang the caller (a structured child would be awaited).
func withDeadline<T: Sendable>(_ deadline: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let waiting = Waiting<T>()
    return try await withCheckedThrowingContinuation { continuation in
        waiting.set(continuation)
        let worker = Task {
            do {
                let value = try await work()
                waiting.take()?.resume(returning: value)
            } catch {
                waiting.take()?.resume(throwing: error)
            }
        }
        Task {
            try? await Task.sleep(for: deadline)
            guard let late = waiting.take() else { return }
            worker.cancel()
            late.resume(throwing: DatabaseUnavailable("PostgreSQL n’a pas répondu en \(deadline)"))
        }
    }
}

/// A continuation resumed once, by whichever of the work and the deadline comes first.
private final class Waiting<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
    func set(_ value: CheckedContinuation<T, any Error>) { continuation.withLock { $0 = value } }
    func take() -> CheckedContinuation<T, any Error>? { continuation.withLock { $0.take() } }
}

extension PostgresConnection {
    /// Refuses to write to a connection already closed (its server gone): PostgresNIO would
    /// never answer such a statement.
    func ensureOpen() throws {
        if isClosed { throw DatabaseUnavailable("connexion à PostgreSQL fermée") }
    }
}
