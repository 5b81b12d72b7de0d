import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Tenancy

/// Wraps the gateway: one access-log line and the request metrics per request, labelled by
/// route pattern, status and département slug. The raw path and the query string never leave
/// this type: they can hold a name, an email address or a token.
struct ObservedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == GatewayRequestContext {
    typealias Context = GatewayRequestContext
    let inner: Inner
    let directory: TenantDirectory

    func respond(to request: Request, context: Context) async throws -> Response {
        let observation = RequestObservation()
        let started = ContinuousClock.now
        let response = try await RequestObservation.$current.withValue(observation) {
            try await inner.respond(to: request, context: context)
        }
        let labels = RequestLabels(
            method: request.method, route: observation.route, site: directory.resolve(host: request.head.authority ?? ""),
            status: response.status.code
        )
        Counter(label: "rdv_http_requests_total", dimensions: labels.counterDimensions).increment()
        let elapsed = ContinuousClock.now - started
        MetricsTimer(label: "rdv_http_request_duration_seconds", dimensions: labels.histogramDimensions).recordInterval(since: started)
        context.logger.info("request", metadata: labels.accessLog(duration: elapsed, requestID: context.id))
        return response
    }
}

/// The labels of one request: a bounded set of values whatever the client sends.
struct RequestLabels: Equatable {
    let method: String
    let route: String
    let site: String
    let departement: String
    let status: String

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    init(method: HTTPRequest.Method, route: String?, site: Site, status: Int) {
        self.method = Self.methods.contains(method.rawValue) ? method.rawValue : "OTHER"
        // Answered by the gateway itself (unknown host, suspended département, redirect).
        self.route = route ?? "(gateway)"
        switch site {
        case .tenant(let tenant):
            self.site = "departement"
            self.departement = tenant.slug
        case .landing: self.site = "landing"; self.departement = ""
        case .console: self.site = "console"; self.departement = ""
        case .stats: self.site = "stats"; self.departement = ""
        case .wwwAlias: self.site = "www"; self.departement = ""
        case .reserved, .unknown: self.site = "unknown"; self.departement = ""
        }
        self.status = String(status)
    }

    var counterDimensions: [(String, String)] {
        [("method", method), ("route", route), ("status", status), ("site", site), ("departement", departement)]
    }

    /// The histogram leaves the département out: routes × départements × buckets would be too
    /// many series; the counter carries the département.
    var histogramDimensions: [(String, String)] {
        [("method", method), ("route", route), ("site", site)]
    }

    func accessLog(duration: Duration, requestID: String) -> Logger.Metadata {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(method), "route": .string(route), "status": .string(status),
            "duration_ms": .string(String(format: "%.1f", milliseconds)), "request_id": .string(requestID), "site": .string(site),
        ]
        if !departement.isEmpty { metadata["tenant"] = .string(departement) }
        return metadata
    }
}
