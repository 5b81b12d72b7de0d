import Metrics
import Prometheus

/// The process's metrics: what the code counts and times through swift-metrics lands in one
/// Prometheus registry, which the admin listener (`RDV_METRICS_ADDRESS`) serves on `/metrics`.
public enum Observability {
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        let fast: [Duration] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)]
        factory.durationHistogramBuckets = [
            "rdv_http_request_duration_seconds": [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            ],
            "rdv_db_pool_wait_seconds": fast,
            "rdv_statistics_refresh_duration_seconds": [
                .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300),
            ],
            "rdv_slot_search_duration_seconds": [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ],
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Points swift-metrics at the registry, once per process (later calls do nothing). Call it
    /// before the first pool or worker runs: a metric made before it stays a no-op.
    public static func bootstrap() {
        _ = bootstrapped
    }
}
