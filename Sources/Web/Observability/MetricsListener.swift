import Hummingbird
import Logging
import Prometheus
import Tenancy

/// The admin listener: `/metrics` in Prometheus' text format, on its own address
/// (`RDV_METRICS_ADDRESS`, a loopback or internal one), never on the public hosts.
/// Everything else there is 404.
func makeMetricsApplication(
    host: String, port: Int, logger: Logger, beforeScrape: @escaping @Sendable () async -> Void
) -> some ApplicationProtocol {
    Observability.bootstrap()
    let router = Router()
    router.get("/metrics") { _, _ -> Response in
        await beforeScrape()
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

