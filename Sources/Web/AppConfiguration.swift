import Foundation
import Tenancy
import Webhooks

/// Settings of the web application, read once at start-up.
public struct AppConfiguration: Sendable {
    public typealias Environment = RuntimeEnvironment

    public var host: String
    public var port: Int
    /// `pas-de-calais.<baseDomain>` reaches Pas-de-Calais; the bare domain shows the landing page.
    public var baseDomain: String
    public var environment: Environment
    /// Scheme of the links the platform prints (`https` behind a TLS proxy in production).
    public var publicScheme: String
    /// Port in the links the platform sends by email; nil for the scheme's default.
    public var publicPort: Int?
    /// Key material for CSRF tokens (at least 32 bytes; `RDV_SECRET_KEY`, base64).
    public var secretKey: Data
    /// Whether slot searches keep plages and absences in memory between searches (`RDV_SLOT_CACHE=off`
    /// turns it off; the benchmark measures both).
    public var keepsSlotMaterial = true
    /// The tenant migrations this build knows, so the console can say which schemas lag behind.
    public var tenantMigrationVersions: [Int] = []
    /// Where the owner side writes the archives asked for on the console; nil: no archives.
    public var exportDirectory: String?
    /// Which webhook targets administrators may register (HTTPS only in production; our own
    /// networks refused unless `RDV_WEBHOOK_ALLOWED_NETWORKS` lists them).
    public var webhookTargets: WebhookTargetPolicy
    /// Calls per minute and per API token (`RDV_API_RATE_LIMIT`).
    public var apiRateLimit = 300
    /// Proxies whose `X-Forwarded-For` gives the client's address (throttling, audit trail).
    public var trustedProxies = TrustedProxies.none
    /// The admin listener of `/metrics` (`RDV_METRICS_ADDRESS`); nil: no metrics listener.
    /// Never one of the public hosts: the public port answers 404 for `/metrics`.
    public var metricsAddress: MetricsAddress?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, baseDomain: String = "localhost",
        environment: Environment, publicScheme: String? = nil, publicPort: Int? = nil,
        secretKey: Data? = nil
    ) {
        self.host = host
        self.port = port
        self.baseDomain = baseDomain.lowercased()
        self.environment = environment
        self.publicScheme = publicScheme ?? (environment == .production ? "https" : "http")
        self.publicPort = publicPort ?? (environment == .production ? nil : port)
        var generator = SystemRandomNumberGenerator()
        self.secretKey = secretKey ?? Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        self.webhookTargets = WebhookTargetPolicy(requiresHTTPS: environment == .production)
    }

    public var isSecure: Bool { publicScheme == "https" }
    public var isDevelopment: Bool { environment == .development }

    /// `https://pas-de-calais.rdv.example` (with the public port when it is not the default).
    public func publicURL(slug: String) -> String {
        let port = publicPort.map { ":\($0)" } ?? ""
        return "\(publicScheme)://\(slug).\(baseDomain)\(port)"
    }
}
