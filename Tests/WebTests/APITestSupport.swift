import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// A partner's program calling the API of one département's host with a Bearer token.
struct APIClient: Sendable {
    let app: LiveApp
    let host: String
    let token: String?

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let request = TestClient.Request(path, method: method, authority: host, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return try await TestClient.withClient(host: "127.0.0.1", port: app.port, configuration: .patient) { try await $0.execute(request) }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await send(.get, "/api/v1" + path, headers: headers)
    }

    func post(_ path: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await send(.post, "/api/v1" + path, json: json, headers: headers)
    }
}

extension TestClient.Response {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        guard let body, let value = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else { return [:] }
        return value
    }

    var items: [[String: Any]] { object["data"] as? [[String: Any]] ?? [] }

    var isProblem: Bool { headers[.contentType] == "application/problem+json" }
}

/// JSON text from a dictionary, for request bodies.
func jsonText(_ value: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
}
