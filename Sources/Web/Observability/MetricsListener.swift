import Hummingbird
import Logging
import Prometheus
import Tenancy

/// The admin listener: `/metrics` in Prometheus' text format, on its own address
/// (`RDV_METRICS_ADDRESS`, a loopback or internal one), never on the public hosts.
/// Everything else there is 404.
public func buildMetricsApplication(
    database: Database, host: String, port: Int, logger: Logger
) -> some ApplicationProtocol {
    Observability.bootstrap()
    let router = Router()
    let outbox = OutboxGauges(database: database, registry: Observability.registry)
    router.get("/metrics") { _, _ -> Response in
        await outbox.refresh(logger: logger)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: Observability.registry.emitToBuffer()))
        )
    }
    return Application(
        router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger
    )
}

/// The outbox as a scrape sees it, read when Prometheus asks (one small query per département,
/// on the partial index of queued messages): messages waiting per channel, those due, and the
/// age of the oldest due one, summed (and the oldest taken) over the served départements.
struct OutboxGauges: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry
    static let channels = ["email", "sms", "webhook"]

    func refresh(logger: Logger) async {
        var queued: [String: Int] = [:]
        var due: [String: Int] = [:]
        var oldest: [String: Double] = [:]
        var failed = 0
        do {
            for tenant in try await database.registeredTenants() {
                do {
                    let rows = try await database.tenant(tenant).transaction { connection in
                        try await connection.query("""
                            SELECT channel, count(*)::int8,
                                   count(*) FILTER (WHERE next_attempt_at <= now() AND not_before <= now())::int8,
                                   coalesce(extract(epoch FROM now() - min(greatest(next_attempt_at, not_before))
                                       FILTER (WHERE next_attempt_at <= now() AND not_before <= now())), 0)::float8
                            FROM messages WHERE state = 'queued' GROUP BY channel
                            """).collect()
                    }
                    for row in rows {
                        let (channel, waiting, ready, age) = try row.decode((String, Int, Int, Double).self)
                        queued[channel, default: 0] += waiting
                        due[channel, default: 0] += ready
                        oldest[channel] = max(oldest[channel] ?? 0, age)
                    }
                } catch {
                    failed += 1
                }
            }
        } catch {
            failed += 1
            logger.warning("outbox gauges: could not list départements", metadata: ["error": .string(describe(error))])
        }
        for channel in Self.channels {
            registry.makeGauge(name: "rdv_outbox_messages", labels: [("channel", channel)]).set(Double(queued[channel] ?? 0))
            registry.makeGauge(name: "rdv_outbox_due_messages", labels: [("channel", channel)]).set(Double(due[channel] ?? 0))
            registry.makeGauge(name: "rdv_outbox_oldest_due_age_seconds", labels: [("channel", channel)]).set(oldest[channel] ?? 0)
        }
        registry.makeGauge(name: "rdv_outbox_scrape_failures").set(Double(failed))
    }
}
