import Foundation
import Testing
@testable import Tenancy

@Suite struct TenantFileTests {
    static let valid = """
        slug = "la-reunion"
        name = "La Réunion"
        insee_code = "974"
        contact_email = "rdv@cg974.fr"
        custom_domains = ["rdv.cg974.fr"]

        [membership]
        population = 885_000
        convention_start = 2026-06-01
        convention_end = 2029-05-31
        contribution_euros = 27000.50
        """

    @Test func readsEveryField() throws {
        let definition = try TenantFile.parse(Self.valid, file: "974.toml")
        #expect(definition.slug == "la-reunion")
        #expect(definition.name == "La Réunion")
        #expect(definition.code.value == "974")
        #expect(definition.timeZone == "Indian/Reunion")
        #expect(definition.customDomains == ["rdv.cg974.fr"])
        #expect(definition.membership == Membership(
            population: 885_000, conventionStart: "2026-06-01", conventionEnd: "2029-05-31", contributionCents: 2_700_050
        ))
    }

    @Test func theRepositoryDemoFilesAreValid() throws {
        let files = try TenantFile.loadDirectory(TestPaths.root.appendingPathComponent("Tenants"))
        let codes = Set(files.map(\.definition.code.value))
        #expect(codes.isSuperset(of: ["62", "26", "77", "974"]))
    }

    @Test(arguments: [
        ("slug = \"x\"\nname = \"n\"\ninsee_code = \"62\"\n", 1, "slug"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"20\"\n", 3, "insee_code"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\ntime_zone = \"Europe/Pariss\"\n", 4, "time_zone"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\ncolour = \"blue\"\n", 4, "colour"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = 62\n", 3, "insee_code"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n\n[membership]\npopulation = -4\n", 6, "membership.population"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n[membership]\nconvention_start = 2027-01-01\nconvention_end = 2026-01-01\n", 6, "membership.convention_end"),
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\ncustom_domains = [\"Bad Domain\"]\n", 4, "custom_domains"),
        ("slug = \"console\"\nname = \"n\"\ninsee_code = \"62\"\n", 1, "slug"),
    ])
    func badFieldsAreNamedWithTheirLine(text: String, line: Int, field: String) {
        #expect {
            try TenantFile.parse(text, file: "bad.toml")
        } throws: { error in
            guard let error = error as? TenantFileError else { return false }
            return error.file == "bad.toml" && error.line == line && error.field == field
        }
    }

    @Test func missingFieldIsNamed() {
        #expect {
            try TenantFile.parse("slug = \"ok-slug\"\ninsee_code = \"62\"\n", file: "bad.toml")
        } throws: { error in
            (error as? TenantFileError)?.field == "name" && (error as? TenantFileError)?.description.contains("obligatoire") == true
        }
    }

    @Test func syntaxErrorsCarryTheirLine() {
        #expect {
            try TenantFile.parse("slug = \"ok\"\nname = \n", file: "bad.toml")
        } throws: { error in
            (error as? TenantFileError)?.line == 2
        }
    }

    @Test func twoFilesCannotClaimOneSlug() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "slug = \"same\"\nname = \"A\"\ninsee_code = \"62\"\n".write(to: directory.appendingPathComponent("a.toml"), atomically: true, encoding: .utf8)
        try "slug = \"same\"\nname = \"B\"\ninsee_code = \"26\"\n".write(to: directory.appendingPathComponent("b.toml"), atomically: true, encoding: .utf8)
        #expect {
            try TenantFile.loadDirectory(directory)
        } throws: { error in
            guard let error = error as? TenantFileError else { return false }
            return error.file.hasSuffix("b.toml") && error.field == "slug" && error.line == 1
        }
    }
}

enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rdv-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
