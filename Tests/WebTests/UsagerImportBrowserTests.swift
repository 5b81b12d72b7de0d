import Agenda
import Foundation
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// The import in a real browser: the file chosen, the preview read, the file sent back from
/// the page's hidden field whole.
@Suite struct UsagerImportBrowserTests {
    @Test func aSecretariatImportsAFileFromTheBrowser() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let ines = try await world.database.tenant(setup.tenant).transaction {
                try await UsagerRepository($0).create(firstName: "Inès", lastName: "Durand", phone: "+33612345678", email: nil, birthDate: LocalDate(iso: "1984-03-15"))
            }
            let file = "nom;prenom;date_naissance;email;adresse\r\n"
                + "Durand;Inès;15/03/1984;ines@exemple.fr;\"Résidence \"\"Les Tilleuls\"\"\r\nBât. B, 62000 Arras\"\r\n"
                + "Lefèvre;Noé;01/07/2019;;<script>alert(1)</script> & cie\r\n"
                + "Martin;Paul;;paul@exemple.fr;\r\n"
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("usagers-\(UUID().uuidString).csv")
            try Data(file.utf8).write(to: path)
            defer { try? FileManager.default.removeItem(at: path) }
            try await world.withLiveApp(baseDomain: "localhost") { app in
                let base = "http://\(setup.tenant.slug).localhost:\(app.port)"
                let shots = BrowserBookingTests.repository.appendingPathComponent(".build/browser-artefacts").path
                let (status, output) = try await BrowserBookingTests.run([
                    "python3", BrowserBookingTests.repository.appendingPathComponent("Tests/Browser/import_usagers.py").path,
                    base, shots, secretary.email, TestWorld.agentPassword, path.path,
                ])
                #expect(status == 0, "browser script failed:\n\(output)")
                #expect(output.contains("imported from the browser"))
            }
            let (completed, noe) = try await world.database.tenant(setup.tenant).transaction { connection in
                (
                    try await UsagerRepository(connection).find(ines),
                    try await connection.query("SELECT address FROM usagers WHERE first_name = 'Noé'").decode(String?.self).first { _ in true } ?? nil
                )
            }
            #expect(completed?.address == "Résidence \"Les Tilleuls\", Bât. B, 62000 Arras", "quotes and the cell's two lines came back whole")
            #expect(completed?.email == "ines@exemple.fr" && completed?.phone == "+33612345678")
            #expect(noe == "<script>alert(1)</script> & cie")
        }
    }
}
