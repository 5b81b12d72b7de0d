import Foundation

/// Settings of the web application, read once at start-up.
public struct AppConfiguration: Sendable {
    public enum Environment: String, Sendable {
        case development
        case production
    }

    public var host: String
    public var port: Int
    /// `pas-de-calais.<baseDomain>` reaches Pas-de-Calais; the bare domain shows the landing page.
    public var baseDomain: String
    public var environment: Environment
    /// Scheme of the links the platform prints (`https` behind a TLS proxy in production).
    public var publicScheme: String

    public init(
        host: String = "127.0.0.1", port: Int = 8080, baseDomain: String = "localhost",
        environment: Environment = .development, publicScheme: String? = nil
    ) {
        self.host = host
        self.port = port
        self.baseDomain = baseDomain.lowercased()
        self.environment = environment
        self.publicScheme = publicScheme ?? (environment == .production ? "https" : "http")
    }

    public var isSecure: Bool { publicScheme == "https" }
}
