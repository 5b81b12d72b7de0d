import NIOCore
import PostgresNIO
import Synchronization

/// The connections lent to work right now, by host, so that a host found lost can be fenced:
/// closing them fails at once whatever still waits on them, instead of leaving a request hanging
/// on a server that is gone or no longer the primary.
final class LeasedConnections: Sendable {
    private let byHost: Mutex<[Int: [ObjectIdentifier: PostgresConnection]]>

    init() { byHost = Mutex([:]) }

    func lent(_ connection: PostgresConnection, on host: Int) {
        byHost.withLock { $0[host, default: [:]][ObjectIdentifier(connection)] = connection }
    }

    func returned(_ connection: PostgresConnection, on host: Int) {
        _ = byHost.withLock { $0[host]?.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Closes the connections lent on every host but `kept`; returns how many.
    @discardableResult
    func close(allBut kept: Int?) -> Int {
        let doomed = byHost.withLock { hosts in
            hosts.filter { $0.key != kept }.flatMap { $0.value.values }
        }
        for connection in doomed { _ = connection.close() as EventLoopFuture<Void> }
        return doomed.count
    }

    /// Closes the connections lent on `host`.
    @discardableResult
    func close(on host: Int) -> Int {
        let doomed = byHost.withLock { $0[host].map { Array($0.values) } ?? [] }
        for connection in doomed { _ = connection.close() as EventLoopFuture<Void> }
        return doomed.count
    }
}
