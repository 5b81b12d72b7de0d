import Foundation
import Testing
import TestSupport

/// The README's configuration table is the environment reference: every variable the platform
/// reads has its row, and no row names a variable nobody reads.
@Suite struct ConfigurationReferenceTests {
    @Test func everySettingIsDocumentedAndEveryDocumentedSettingIsRead() throws {
        let root = TestWorld.repositoryRoot
        let source = try String(contentsOf: root.appendingPathComponent("Sources/Tenancy/PlatformConfiguration.swift"), encoding: .utf8)
        var read = Set(source.matches(of: /(?:value\(|variables\[)"([A-Z][A-Z0-9_]+)"/).map { String($0.output.1) })
        // The one setting read outside the configuration: where PostgreSQL's programs are.
        let embedded = try String(contentsOf: root.appendingPathComponent("Sources/Tenancy/EmbeddedPostgres.swift"), encoding: .utf8)
        // PATH is the system’s, read to find programs, not a setting of ours.
        read.formUnion(embedded.matches(of: /processInfo\.environment\["([A-Z][A-Z0-9_]+)"\]/).map { String($0.output.1) }.filter { $0 != "PATH" })
        #expect(read.count >= 15, "the pattern still finds the settings: \(read.sorted())")
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Configuration").dropFirst().first)
        let table = section.components(separatedBy: "\n## ").first ?? section
        let documented = Set(table.components(separatedBy: "\n").compactMap { line -> String? in
            line.firstMatch(of: /^\| `([A-Z][A-Z0-9_]+)` \|/).map { String($0.output.1) }
        })
        #expect(read.subtracting(documented).isEmpty, "read but not in the README's table: \(read.subtracting(documented).sorted())")
        #expect(documented.subtracting(read).isEmpty, "in the README's table but never read: \(documented.subtracting(read).sorted())")
    }
}
