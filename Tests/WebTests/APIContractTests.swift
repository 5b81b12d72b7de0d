import Foundation
import HTTPTypes
import Testing
import TestSupport
import Web

/// The OpenAPI document is the contract: it names exactly the routes served, it is valid
/// OpenAPI 3.1 for an independent validator, its YAML says what its JSON says, and
/// schemathesis, fuzzing the running API from it, finds no answer that disagrees with it.
@Suite struct APIContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: repository.appendingPathComponent("Sources/Web/OpenAPI/openapi.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func theContractNamesExactlyTheRoutesServed() async throws {
        try await TestWorld.run { world in
            let served = Set(try await tenantRouteList(
                configuration: AppConfiguration(environment: .development, secretKey: TestWorld.secretKey), database: world.database
            ).filter { $0.contains(" /api/v1/") && !["/api/v1/openapi.json", "/api/v1/openapi.yaml", "/api/v1/docs"].contains($0.split(separator: " ")[1]) })
            let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, item in
                item.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.map { "\($0.uppercased()) /api/v1\(path)" }
            })
            #expect(served.subtracting(documented).isEmpty, "served but not in the contract: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "in the contract but not served: \(documented.subtracting(served).sorted())")
        }
    }

    @Test func theDocumentIsValidAndServedAsJSONYAMLAndAFrenchPage() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp { app in
                let json = try await app.get("/api/v1/openapi.json", host: a.host)
                let yaml = try await app.get("/api/v1/openapi.yaml", host: a.host)
                #expect(json.status == .ok && json.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(yaml.status == .ok && yaml.headers[.contentType]?.hasPrefix("application/yaml") == true)
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-openapi-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                try json.text.write(to: directory.appendingPathComponent("openapi.json"), atomically: true, encoding: .utf8)
                try yaml.text.write(to: directory.appendingPathComponent("openapi.yaml"), atomically: true, encoding: .utf8)
                let check = """
                    import json, sys, yaml
                    from openapi_spec_validator import validate
                    from openapi_spec_validator.validation import OpenAPIV31SpecValidator
                    document = json.load(open(sys.argv[1] + "/openapi.json"))
                    validate(document, cls=OpenAPIV31SpecValidator)
                    assert yaml.safe_load(open(sys.argv[1] + "/openapi.yaml")) == document, "the YAML differs from the JSON"
                    print("ok", document["openapi"], len(document["paths"]))
                    """
                let (status, output) = try await Self.run(["python3", "-c", check, directory.path])
                #expect(status == 0, "\(output)")
                #expect(output.hasPrefix("ok 3.1.0"), "\(output)")

                // The reference page shows every operation, in French, without external assets.
                let page = try await app.get("/api/v1/docs", host: a.host)
                #expect(page.status == .ok)
                let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
                for (path, item) in paths {
                    for (method, operation) in item {
                        let summary = try #require((operation as? [String: Any])?["summary"] as? String)
                        #expect(page.text.contains("\(method.uppercased()) /api/v1\(path)") && page.text.contains(summary.replacingOccurrences(of: "’", with: "’")))
                    }
                }
                #expect(!page.text.contains("https://") || !page.text.contains("<script src=\"http"), "no external script")
            }
        }
    }

    /// Schemathesis generates requests from the contract (valid and invalid) and checks each
    /// answer: never a 500, a documented status, content type, headers and schema.
    @Test func schemathesisFindsNoAnswerThatBreaksTheContract() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp(configure: { $0.apiRateLimit = 100_000 }) { app in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-schemathesis-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let schema = directory.appendingPathComponent("openapi.json")
                try await app.get("/api/v1/openapi.json", host: a.host).text.write(to: schema, atomically: true, encoding: .utf8)
                let (status, output) = try await Self.run([
                    "schemathesis", "run", schema.path, "--url", "http://127.0.0.1:\(app.port)/api/v1",
                    "-H", "Host: \(a.host)", "-H", "Authorization: Bearer \(a.targets.apiToken)",
                    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
                    "--max-examples", "25", "--generation-deterministic", "--workers", "1", "--request-timeout", "60",
                ], in: directory)
                #expect(status == 0, "\(output.suffix(6000))")
            }
        }
    }

    /// Runs a program to its end (its output in a file, however long), off the cooperative pool.
    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let log = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-api-\(UUID().uuidString).log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                defer { try? FileManager.default.removeItem(at: log) }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                if let directory { process.currentDirectoryURL = directory }
                do {
                    let handle = try FileHandle(forWritingTo: log)
                    process.standardOutput = handle
                    process.standardError = handle
                    try process.run()
                } catch {
                    return continuation.resume(throwing: error)
                }
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? ""))
            }
        }
    }
}
