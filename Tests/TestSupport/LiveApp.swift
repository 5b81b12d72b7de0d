import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Tenancy
import Web

/// The application served on a real port, reached with real HTTP requests whose `Host`
/// names the site, as a browser would send them.
public struct LiveApp: Sendable {
    public let port: Int

    public func get(_ path: String, host: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .patient) { client in
            try await client.execute(.init(path, method: .get, authority: host, headers: headers))
        }
    }

    /// Posts a raw body (JSON from a provider, say), without cookies or CSRF.
    public func post(_ path: String, host: String, body: String, contentType: String = "application/json") async throws -> TestClient.Response {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .patient) { client in
            try await client.execute(.init(path, method: .post, authority: host, headers: [.contentType: contentType], body: ByteBuffer(string: body)))
        }
    }

    /// Runs `requests` one after the other on a single kept-alive connection.
    public func getAll(_ requests: [(path: String, host: String)]) async throws -> [TestClient.Response] {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .patient) { client in
            var responses: [TestClient.Response] = []
            for request in requests {
                responses.append(try await client.execute(.init(request.path, method: .get, authority: request.host)))
            }
            return responses
        }
    }
}

extension TestWorld {
    /// Serves the application on a free port for the span of `body`.
    public func withLiveApp<T: Sendable>(
        baseDomain: String = "rdv.test", environment: AppConfiguration.Environment = .development,
        serving: Database? = nil,
        configure: @Sendable (inout AppConfiguration) -> Void = { _ in }, logger: Logger? = nil,
        _ body: @escaping @Sendable (LiveApp) async throws -> T
    ) async throws -> T {
        let app = try await self.app(baseDomain: baseDomain, environment: environment, serving: serving, configure: configure, logger: logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw TestWorldError.database("live server has no port") }
            return try await body(LiveApp(port: port))
        }
    }
}

extension TestClient.Response {
    public var text: String { body.map { String(buffer: $0) } ?? "" }
}

extension TestClient.Configuration {
    /// The test runs many suites in parallel on shared two-core machines, where a request
    /// behind a few password hashes can wait well beyond HummingbirdTesting's 15 s default;
    /// a hung server still fails the test, only later.
    public static let patient = TestClient.Configuration(timeout: .seconds(120))
}
