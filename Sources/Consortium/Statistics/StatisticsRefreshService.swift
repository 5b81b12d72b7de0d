import Logging
import Metrics
import ServiceLifecycle

/// Runs the incremental statistics refresh at start and then every `interval`, in `rdv serve`
/// and `rdv worker`, until graceful shutdown. Two instances may both run it: the watermark
/// keeps the later read.
public struct StatisticsRefreshService: Service {
    let refresher: StatisticsRefresher
    let interval: Duration
    let logger: Logger

    public init(refresher: StatisticsRefresher, interval: Duration = .seconds(15 * 60), logger: Logger) {
        self.refresher = refresher
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await refreshOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One refresh of every département, logged and timed as
    /// `rdv_statistics_refresh_duration_seconds{result="ok"|"failed"}`; a failure waits for the next round.
    public func refreshOnce() async {
        let started = ContinuousClock.now
        var result = "ok"
        do {
            let outcomes = try await refresher.refreshAll()
            let days = outcomes.reduce(0) { $0 + $1.days.count }
            logger.info("statistics refreshed", metadata: ["departements": "\(outcomes.count)", "days": "\(days)"])
        } catch {
            result = "failed"
            logger.error("statistics refresh failed", metadata: ["error": .string(String(reflecting: error))])
        }
        Metrics.Timer(label: "rdv_statistics_refresh_duration_seconds", dimensions: [("result", result)])
            .recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
    }
}
