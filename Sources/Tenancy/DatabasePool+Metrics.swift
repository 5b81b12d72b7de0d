import Metrics
import PostgresNIO

extension DatabasePool {
    /// `withConnection`, measured: how long the caller waited for a connection of the pool
    /// (`rdv_db_pool_wait_seconds`) and how many are lent at this moment
    /// (`rdv_db_pool_connections_in_use`). PostgresNIO's pools keep their own counts to
    /// themselves, so they are taken here, around every transaction. Without a metrics backend (no
    /// `MetricsSystem.bootstrap`), both are no-ops.
    func leaseObserved<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        return try await withConnection { connection in
            Timer(label: "rdv_db_pool_wait_seconds").recordInterval(since: asked)
            let inUse = Meter(label: "rdv_db_pool_connections_in_use")
            inUse.increment()
            defer { inUse.decrement() }
            return try await body(connection)
        }
    }
}

extension Timer {
    /// Records the time elapsed since `start` on the continuous clock.
    public func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// swift-metrics' timer, under a name that Foundation's `Timer` does not shadow.
public typealias MetricsTimer = Timer
