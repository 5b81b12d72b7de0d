import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The real HTTP receiver of `Tests/Webhooks/receiver.py` for the length of one test: it
/// verifies each request with the `standardwebhooks` package and a plain HMAC of the body.
struct WebhookReceiver {
    /// What the receiver saw of one request.
    struct Received: Decodable {
        let path: String
        let status: Int
        let id: String?
        let body: String
        /// The secrets whose Standard Webhooks signature verified.
        let standard: [String]
        /// The secrets whose X-Lapin-Signature matched.
        let legacy: [String]
        let signature: String

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var meta: [String: Any] { json["meta"] as? [String: Any] ?? [:] }
        var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Webhooks/receiver.py")

    let port: Int

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static func run<T>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        // The receiver leaves when this pipe closes, even if the test process dies first.
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        defer {
            process.terminate()
            try? input.fileHandleForWriting.close()
        }
        let line = await firstLine(of: output.fileHandleForReading)
        guard let port = Int(line) else { throw ReceiverError(description: "receiver.py did not start: \(line)") }
        return try await body(WebhookReceiver(port: port))
    }

    struct ReceiverError: Error, CustomStringConvertible {
        let description: String
    }

    static func firstLine(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while let byte = try? handle.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// The secrets the receiver checks signatures against.
    func trust(_ secrets: [String]) async throws {
        var request = HTTPClientRequest(url: url("/_secrets"))
        request.method = .POST
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["secrets": secrets])))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        guard response.status.code == 204 else { throw ReceiverError(description: "secrets refused: \(response.status)") }
    }

    /// Everything received so far, in order; `path` keeps one test's requests.
    func received(path: String? = nil) async throws -> [Received] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url("/_log")), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let all = try JSONDecoder().decode([Received].self, from: Data(buffer: body))
        return path.map { wanted in all.filter { $0.path == wanted } } ?? all
    }
}
