import Foundation
import Testing
import TestSupport

/// The web layer reaches the database only through the handle the gateway puts in each
/// request's context: no route holds the whole `Database`, so none can name another
/// département's schema by passing the wrong value.
@Suite struct WebBoundaryTests {
    static let webSources = TestWorld.repositoryRoot.appendingPathComponent("Sources/Web")
    /// The gateway chooses the handle from the host; the application builder hands it the pool.
    static let allowed: Set<String> = ["Gateway.swift", "Application+build.swift"]

    @Test func onlyTheGatewayHoldsTheDatabase() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.webSources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 20)
        let pool = try NSRegularExpression(pattern: #"(?<![A-Za-z])Database(?![A-Za-z])|[A-Za-z0-9_)\]]\.tenant\(|\.administration\b|OwnerDatabase"#)
        var offenders: [String] = []
        for file in files where !Self.allowed.contains(file.lastPathComponent) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.components(separatedBy: "\n").enumerated() {
                let code = line.components(separatedBy: "//").first ?? ""
                if pool.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                    offenders.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "routes must use context.database:\n\(offenders.joined(separator: "\n"))")
    }
}
