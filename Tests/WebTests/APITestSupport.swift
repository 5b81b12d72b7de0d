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
        let response = try await TestClient.withClient(host: "127.0.0.1", port: app.port, configuration: .patient) { try await $0.execute(request) }
        // Every answer of the API, whatever the test asserts, must be one the contract documents.
        if path.hasPrefix("/api/v1/") {
            let verdict = try await ContractChecker.shared.check(method: method.rawValue, path: path, response: response)
            #expect(verdict == "ok" || verdict.hasPrefix("skip"), "contract: \(verdict)")
        }
        return response
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

/// The OpenAPI document's verdict on each response (Tests/API/check_responses.py, with the
/// `jsonschema` package), from one Python process that lives as long as the test run.
actor ContractChecker {
    static let shared = ContractChecker()

    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?
    private var pending = Data()

    func check(method: String, path: String, response: TestClient.Response) throws -> String {
        if process == nil { try start() }
        let body = response.body.map { String(buffer: $0) }
        let line: [String: Any] = [
            "method": method, "path": path, "status": Int(response.status.code),
            "content_type": response.headers[.contentType] ?? "", "body": body ?? NSNull(),
        ]
        var data = try JSONSerialization.data(withJSONObject: line)
        data.append(0x0A)
        try input?.write(contentsOf: data)
        return readLine()
    }

    private func start() throws {
        let root = TestWorld.repositoryRoot
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", root.appendingPathComponent("Tests/API/check_responses.py").path,
            root.appendingPathComponent("Sources/Web/OpenAPI/openapi.json").path,
        ]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
    }

    private func readLine() -> String {
        while true {
            if let end = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<end], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...end)
                return line
            }
            guard let chunk = output?.availableData, !chunk.isEmpty else { return "error the checker stopped" }
            pending.append(chunk)
        }
    }
}
