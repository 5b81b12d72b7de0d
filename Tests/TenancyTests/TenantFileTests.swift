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
        census_year = 2021

        [[membership.conventions]]
        funding_round = "2026-2028"
        kind = "initial"
        signed_on = 2026-04-15
        start = 2026-06-01
        end = 2029-05-31
        contribution_euros = 27000.50

        [[membership.conventions]]
        funding_round = "2029-2031"
        kind = "renewal"
        signed_on = 2029-05-02
        start = 2029-06-01
        end = 2032-05-31
        contribution_due_on = 2029-09-30
        paid_euros = 13500.25
        paid_on = 2029-09-12

        [[membership.pilot_sites]]
        organisation = "Pôle social de Saint-Denis"
        referent = "Nathalie Hoarau"
        contact = "pole-social-stdenis@cg974.fr"
        """

    @Test func readsEveryField() throws {
        let definition = try TenantFile.parse(Self.valid, file: "974.toml")
        #expect(definition.slug == "la-reunion")
        #expect(definition.name == "La Réunion")
        #expect(definition.code.value == "974")
        #expect(definition.timeZone == "Indian/Reunion")
        #expect(definition.customDomains == ["rdv.cg974.fr"])
        #expect(definition.membership == Membership(
            population: 885_000, censusYear: 2021,
            conventions: [
                .init(fundingRound: "2026-2028", kind: "initial", signedOn: "2026-04-15", startsOn: "2026-06-01", endsOn: "2029-05-31",
                      agreedContributionCents: 2_700_050),
                .init(fundingRound: "2029-2031", kind: "renewal", signedOn: "2029-05-02", startsOn: "2029-06-01", endsOn: "2032-05-31",
                      contributionDueOn: "2029-09-30", paidCents: 1_350_025, paidOn: "2029-09-12"),
            ],
            pilotSites: [.init(organisation: "Pôle social de Saint-Denis", referent: "Nathalie Hoarau", contact: "pole-social-stdenis@cg974.fr")]
        ))
        #expect(try TenantFile.parse("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n", file: "x.toml").membership == nil,
                "a file without [membership] declares none")
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
        ("slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n[membership]\ncensus_year = 21\n", 5, "membership.census_year"),
        (TenantFileTests.conventions("kind = \"initial\"\nstart = 2027-01-01\nend = 2026-01-01\n"), 16, "membership.conventions.end"),
        (TenantFileTests.conventions("kind = \"renouvellement\"\nstart = 2026-01-01\nend = 2026-12-31\n"), 14, "membership.conventions.kind"),
        (TenantFileTests.conventions("kind = \"initial\"\nstart = 2026-01-01\nend = 2026-12-31\npaid_euros = 100\n"), 11, "membership.conventions.paid_on"),
        (TenantFileTests.conventions("kind = \"initial\"\nstart = 2026-01-01\nend = 2026-12-31\ncolour = 1\n"), 17, "membership.conventions.colour"),
        (TenantFileTests.conventions("kind = \"initial\"\nstart = 2025-01-01\nend = 2026-12-31\n")
            + "\n[[membership.pilot_sites]]\norganisation = \"O\"\nreferent = \"\"\ncontact = \"c\"\n", 20, "membership.pilot_sites.referent"),
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

    /// A file whose second convention (header on line 11) goes on from line 14 with `tail`.
    static func conventions(_ tail: String) -> String {
        "slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n[membership]\n"
            + "[[membership.conventions]]\nfunding_round = \"a\"\nkind = \"initial\"\nsigned_on = 2024-01-01\nstart = 2024-01-01\nend = 2024-12-31\n"
            + "[[membership.conventions]]\nfunding_round = \"b\"\nsigned_on = 2025-12-01\n" + tail
    }

    @Test func theNoticeOfAKeptMembershipNamesTheFileAndTheLineOfItsMembership() throws {
        let text = "slug = \"ok-slug\"\nname = \"n\"\ninsee_code = \"62\"\n\n[membership]\npopulation = 1\n"
        #expect(TenantFile.line(ofSection: "membership", in: text) == 5)
        #expect(TenantFile.keptMembershipNotice(file: "Tenants/62.toml", line: 5, editedOn: "02/12/2026 15:04:05")
            == "Tenants/62.toml:5: adhésion modifiée dans la console le 02/12/2026 15:04:05, le fichier est ignoré pour ces champs")
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

    /// Found by the fuzzer: such headers made the TOML parser underneath abort the process.
    @Test(arguments: ["[[\nmembership.conventions]]", "[[\\membership.conventions]]", "[membership.]", "[\"membership]", "[ ]"])
    func malformedTableHeadersAreRefusedWithTheirLine(_ header: String) {
        #expect {
            try TenantFile.parse("slug = \"ok\"\n# un commentaire\n\(header)\nkind = \"initial\"\n", file: "bad.toml")
        } throws: { error in
            guard let error = error as? TenantFileError else { return false }
            return error.line == 3 && error.message.contains("en-tête de section")
        }
        // Well-formed headers pass this check, quoted keys and blanks included.
        #expect(TenantFile.malformedTableHeader(in: "[a]\n[[ b . \"c.d\" ]]\n['e'] # note\ntext = \"\"\"\n[pas un en-tête\n\"\"\"\n") == nil)
    }

    /// Found by the fuzzer: quotes in a comment, or inside a one-line string, open no multi-line
    /// string, so the malformed header after them is still caught.
    @Test func quotesInACommentOrAStringHideNoHeader() {
        #expect(TenantFile.malformedTableHeader(in: "# l'''ancien''' nom'''\n[\u{FE}em]\n") == 2)
        #expect(TenantFile.malformedTableHeader(in: "name = \"a '''\"\n[[a.\u{A3}]]\n") == 2)
        #expect(TenantFile.malformedTableHeader(in: "text = '''une\nsuite''' # '''\n[ ]\n") == 3)
        #expect(TenantFile.malformedTableHeader(in: "text = \"\"\"\n[pas un en-tête\n\"\"\"\n[ok]\n") == nil)
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
