import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A secretariat imports its usagers from a spreadsheet: every bad line named and nothing
/// written, a preview with the records that may be the same person, then all lines or none.
@Suite struct UsagerImportTests {
    /// The file a browser posts back from the preview's hidden field, as the page holds it.
    static func hiddenFile(in page: String) throws -> String {
        let start = try #require(page.range(of: #"name="csv" value=""#))
        let rest = page[start.upperBound...]
        let value = rest[..<(try #require(rest.firstIndex(of: "\"")))]
        var text = String(value)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&#x2F;", "/"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    static func count(_ world: TestWorld, _ tenant: Tenant, _ sql: String) async throws -> Int {
        try await world.database.tenant(tenant).transaction { connection in
            try #require(try await connection.query(.init(unsafeSQL: sql)).decode(Int.self).first { _ in true })
        }
    }

    @Test func aSecretariatPreviewsThenImportsCompletingTheRecordsAlreadyThere() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let tenant = setup.tenant
            let secretary = try await world.makeAgent(in: tenant, role: .secretariat, organisation: setup.organisation)
            let referent = try await world.makeAgent(in: tenant, role: .agent, organisation: setup.organisation)
            let (ines, marc) = try await world.database.tenant(tenant).transaction { connection in
                try await connection.query("UPDATE agents SET first_name = 'Claire', last_name = 'Martin' WHERE id = \(referent.id)")
                let usagers = UsagerRepository(connection)
                return (
                    try await usagers.create(firstName: "Inès", lastName: "DURAND", phone: "+33612345678", email: nil, birthDate: LocalDate(iso: "1984-03-15")),
                    try await usagers.create(firstName: "Marc", lastName: "Petit", phone: "+33611111111", email: nil)
                )
            }
            let file = """
                Nom;Prénom;Date de naissance;Téléphone;Email;Adresse;Référent
                Durand;Ines;15/03/1984;06 00 00 00 01;ines@exemple.fr;"12 rue de la Paix; 62000 Arras";\(referent.email)
                Petit;Julie;02/02/2015;06 11 11 11 11;;;
                Lefèvre;Noé;;;noe@exemple.fr;3 place <Centrale> & "Cie";claire MARTIN
                Martin;Paul;1990-01-01;;;;
                Bernard;Zoé;;07 12 34 56 78;;;

                """
            let usagersBefore = try await Self.count(world, tenant, "SELECT count(*)::int FROM usagers")
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                #expect(try await browser.get("/usagers").text.contains("href=\"/usagers/import\""))
                let form = try await browser.get("/usagers/import")
                #expect(form.status == .ok && form.text.contains("nom;prenom;date_naissance;telephone;email;adresse;referent"))
                // The template file reads back as one person.
                let template = try await browser.get("/usagers/import/modele.csv")
                #expect(template.status == .ok && template.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(try UsagerCSV.parse(template.text, agents: [], today: LocalDate(iso: "2026-12-04")!).map(\.identity.lastName) == ["Durand"])

                let preview = try await upload(browser, app, to: "/usagers/import", file: Array(file.utf8), named: "usagers.csv", fields: ["etape": "apercu"])
                #expect(preview.status == .ok)
                let page = preview.text
                #expect(page.contains("Aperçu : 5 personnes dans le fichier"))
                #expect(page.contains("3 sans fiche ressemblante") && page.contains("1 avec une fiche au même nom") && page.contains("1 avec seulement le même téléphone"))
                #expect(page.contains("<td>Noé Lefèvre</td>") && page.contains("Claire Martin"), "the sample shows the lines as they will be saved")
                #expect(page.contains("value=\"fiche-\(ines)\"") && page.contains("value=\"fiche-\(marc)\""), "each likely duplicate is offered")
                #expect(page.contains("<legend>Pour la personne qui a déjà une fiche au même nom, prénom et date de naissance</legend>"))
                #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usagers") == usagersBefore, "a preview writes nothing")

                // The browser sends the file back from the page, with one line's choice changed.
                let sentBack = try Self.hiddenFile(in: page)
                #expect(sentBack == file, "the hidden field carries the file unchanged")
                let imported = try await browser.post("/usagers/import", ["csv": sentBack, "etape": "importer", "doublons": "completer", "ligne-3": "ignorer"])
                #expect(imported.status == .ok)
                #expect(imported.text.contains("3 fiches créées · 1 fiche complétée · 1 ligne ignorée"))
                #expect(imported.text.contains("href=\"/usagers/\(ines)\""))
                let record = try await browser.get("/usagers/\(ines)")
                #expect(record.text.contains("ines@exemple.fr") && record.text.contains("12 rue de la Paix; 62000 Arras") && record.text.contains("+33612345678"))
                #expect(record.text.contains("Claire Martin"), "the referent was added")
                // The record edits the imported address, with the same rule.
                let identity = ["first_name": "Inès", "last_name": "DURAND", "birth_date": "1984-03-15", "phone": "06 12 34 56 78", "email": "ines@exemple.fr"]
                let tooLong = try await browser.post("/usagers/\(ines)", identity.merging(["address": String(repeating: "rue ", count: 80)]) { $1 })
                #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("L’adresse postale compte 300 caractères au plus."))
                let moved = try await browser.post("/usagers/\(ines)", identity.merging(["address": "4 rue Neuve, 62300 Lens"]) { $1 })
                #expect(moved.status == .ok && moved.text.contains("value=\"4 rue Neuve, 62300 Lens\""))
                try await browser.post("/usagers/\(ines)", identity.merging(["address": "12 rue de la Paix; 62000 Arras"]) { $1 })
            }
            let completed = try await world.database.tenant(tenant).transaction { try await UsagerRepository($0).find(ines) }
            #expect(completed?.lastName == "DURAND" && completed?.phone == "+33612345678" && completed?.email == "ines@exemple.fr", "what the record held is kept")
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usagers") == usagersBefore + 3)
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usagers WHERE first_name = 'Julie'") == 0, "the line set aside")
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usagers WHERE address = '3 place <Centrale> & \"Cie\"'") == 1)
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usager_referents WHERE agent_id = '\(referent.id)'") == 2)
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM audit_events WHERE action = 'usagers.imported' AND details->>'created' = '3'") == 1)
            #expect(try await Self.count(world, tenant, "SELECT count(*)::int FROM usager_access_trail WHERE action = 'imported'") == 4)
        }
    }

    @Test func oneBadLineImportsNobodyAndEveryBadLineIsNamed() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let file = "nom;prenom;date_naissance;telephone\nDurand;Inès;;\nMartin;;;\nPetit;Léo;1984/13/40;\nBon;Jean;;0612\n"
            let before = try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers")
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                try await browser.get("/usagers/import")
                for step in ["apercu", "importer"] {
                    let refused = try await upload(browser, app, to: "/usagers/import", file: Array(file.utf8), named: "usagers.csv", fields: ["etape": step])
                    #expect(refused.status == .unprocessableContent)
                    #expect(refused.text.contains("Personne n’a été importé : 3 problèmes à corriger dans le fichier"))
                    for line in [3, 4, 5] { #expect(refused.text.contains("<tr><td>\(line)</td>"), "line \(line) is named") }
                    #expect(!refused.text.contains("<tr><td>2</td>"))
                }
                let empty = try await browser.post("/usagers/import", ["csv": "  ", "etape": "apercu"])
                #expect(empty.status == .unprocessableContent && empty.text.contains("Choisissez un fichier CSV"))
                let badChoice = try await browser.post("/usagers/import", ["csv": "nom;prenom\nDurand;Inès\n", "etape": "importer", "ligne-2": "n’importe quoi"])
                #expect(badChoice.status == .unprocessableContent && badChoice.text.contains("Le choix fait pour cette ligne n’est pas reconnu"))
                // A record chosen in the preview that is no longer a likely duplicate: nothing is written.
                let stale = try await browser.post("/usagers/import", [
                    "csv": "nom;prenom\nDurand;Inès\nMartin;Paul\n", "etape": "importer", "ligne-3": "fiche-\(UUID())",
                ])
                #expect(stale.status == .conflict && stale.text.contains("La fiche choisie pour la ligne 3 a changé depuis l’aperçu"))
                #expect(stale.text.contains("Aperçu : 2 personnes"), "the preview is shown again")
                #expect(!stale.text.contains("fiche-"), "no record of the département looks like these two")
            }
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers") == before)
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM audit_events WHERE action = 'usagers.imported'") == 0)
        }
    }

    @Test func familiesAreImportedWithTheirRelativesAttached() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let known = try await world.database.tenant(setup.tenant).transaction {
                try await UsagerRepository($0).create(firstName: "Marc", lastName: "Petit", phone: "+33611111111", email: nil, birthDate: LocalDate(iso: "1980-01-01"))
            }
            let file = """
                nom;prenom;date_naissance;telephone;responsable
                Durand;Inès;15/03/1984;06 12 34 56 78;
                Durand;Noé;01/07/2019;;2
                Petit;Marc;01/01/1980;;
                Petit;Lou;02/02/2020;;4

                """
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                try await browser.get("/usagers/import")
                let preview = try await browser.post("/usagers/import", ["csv": file, "etape": "apercu"])
                #expect(preview.status == .ok && preview.text.contains("2 proches rattachés à la personne responsable d’une autre ligne") && preview.text.contains("<td>ligne 2</td>"))
                // The responsible person left out while their child is imported: nothing is written.
                let orphan = try await browser.post("/usagers/import", ["csv": file, "etape": "importer", "ligne-4": "ignorer"])
                #expect(orphan.status == .conflict && orphan.text.contains("La ligne 4 est laissée de côté alors que la personne de la ligne 5 en dépend"))
                #expect(orphan.text.contains("<option value=\"ignorer\" selected>Ne pas importer cette ligne</option>"), "the page keeps the choice made")
                let imported = try await browser.post("/usagers/import", ["csv": file, "etape": "importer", "doublons": "completer"])
                #expect(imported.status == .ok && imported.text.contains("3 fiches créées · 1 fiche complétée"), "\(imported.text)")
                #expect(try await browser.get("/usagers/\(known)").text.contains("Lou Petit"), "the child hangs on the record that was there")
                // Namesakes in the search are told apart by their birth dates.
                let search = try await browser.get("/usagers?q=Petit")
                #expect(search.text.contains("<td>01/01/1980</td>") && search.text.contains("<td>02/02/2020</td>"))
            }
            let families = try await world.database.tenant(setup.tenant).transaction { connection in
                var pairs: [String] = []
                for try await (child, parent) in try await connection.query(
                    "SELECT c.first_name, p.first_name FROM usagers c JOIN usagers p ON p.id = c.responsible_id ORDER BY c.first_name"
                ).decode((String, String).self) { pairs.append("\(child) → \(parent)") }
                return pairs
            }
            #expect(families == ["Lou → Marc", "Noé → Inès"])
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers") == 4)
        }
    }

    @Test func aWrongFileIsUndoneTheSameDayKeepingTheRecordsTouchedSince() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            let known = try await world.database.tenant(setup.tenant).transaction {
                try await UsagerRepository($0).create(firstName: "Marc", lastName: "Petit", phone: nil, email: nil, birthDate: LocalDate(iso: "1980-01-01"))
            }
            let file = """
                nom;prenom;date_naissance;email;responsable
                Durand;Inès;15/03/1984;;
                Durand;Noé;01/07/2019;;2
                Martin;Paul;;;
                Bernard;Zoé;;;
                Petit;Marc;01/01/1980;marc@exemple.fr;

                """
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                try await browser.get("/usagers/import")
                let imported = try await browser.post("/usagers/import", ["csv": file, "etape": "importer"])
                #expect(imported.status == .ok && imported.text.contains("4 fiches créées · 1 fiche complétée") && imported.text.contains("annuler cet import"))
                let importID = try #require(try await world.database.tenant(setup.tenant).transaction { connection in
                    try await connection.query("SELECT id FROM usager_imports").decode(UUID.self).first { _ in true }
                })
                // Since the import: Paul has an appointment, Zoé's record was corrected.
                let (paul, zoe) = try await world.database.tenant(setup.tenant).transaction { connection in
                    let paul = try #require(try await connection.query("SELECT id FROM usagers WHERE first_name = 'Paul'").decode(UUID.self).first { _ in true })
                    let zoe = try #require(try await connection.query("SELECT id FROM usagers WHERE first_name = 'Zoé'").decode(UUID.self).first { _ in true })
                    let start = setup.clock.instant(setup.monday, LocalTime(minutes: 9 * 60)!)
                    _ = try await RdvRepository(connection).book(NewRdv(
                        motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [setup.agent.id], usagerIDs: [paul]
                    ))
                    return (paul, zoe)
                }
                try await browser.post("/usagers/\(zoe)", ["first_name": "Zoé", "last_name": "Bernard-Leroy", "birth_date": "", "phone": "", "email": "", "address": ""])

                let page = try await browser.get("/usagers/import")
                #expect(page.text.contains("Imports des dernières 24 heures") && page.text.contains("4 fiches créées, 4 encore là"))
                let undone = try await browser.post("/usagers/import/\(importID)/annuler", [:])
                #expect(undone.status == .ok && undone.text.contains("Import annulé : 2 fiches supprimées. 2 fiches gardées"), "\(undone.text)")
                #expect(!undone.text.contains("Imports des dernières 24 heures"), "an undone import is no longer offered")
                let again = try await browser.post("/usagers/import/\(importID)/annuler", [:])
                #expect(again.status == .conflict && again.text.contains("Cet import a déjà été annulé."))
                #expect(try await browser.post("/usagers/import/\(UUID())/annuler", [:]).status == .notFound)
                for kept in [paul, zoe] { #expect(try await browser.get("/usagers/\(kept)").status == .ok) }

                // Past 24 hours, an import stays.
                let later = try await browser.post("/usagers/import", ["csv": "nom;prenom\nLeroy;Jade\n", "etape": "importer"])
                #expect(later.status == .ok)
                let old = try #require(try await world.database.tenant(setup.tenant).transaction { connection in
                    try await connection.query("UPDATE usager_imports SET imported_at = now() - interval '25 hours' WHERE undone_at IS NULL RETURNING id")
                        .decode(UUID.self).first { _ in true }
                })
                let late = try await browser.post("/usagers/import/\(old)/annuler", [:])
                #expect(late.status == .conflict && late.text.contains("dans les 24 heures"))
            }
            let (names, marc, audited) = try await world.database.tenant(setup.tenant).transaction { connection in
                var names: [String] = []
                for try await name in try await connection.query("SELECT first_name FROM usagers ORDER BY first_name").decode(String.self) { names.append(name) }
                return (
                    names, try await UsagerRepository(connection).find(known),
                    try await connection.query("SELECT count(*)::int FROM audit_events WHERE action = 'usagers.import_undone' AND details->>'deleted' = '2'")
                        .decode(Int.self).first { _ in true }
                )
            }
            #expect(names == ["Jade", "Marc", "Paul", "Zoé"], "Inès and her son Noé, untouched, are gone")
            #expect(marc?.email == "marc@exemple.fr", "a completed record keeps what the import added")
            #expect(audited == 1)
        }
    }

    @Test func anAgentWhoReceivesPeopleDoesNotImportThem() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(setup.agent.email)
                #expect(!(try await browser.get("/usagers").text.contains("/usagers/import")))
                #expect(try await browser.get("/usagers/import").status == .forbidden)
                #expect(try await browser.get("/usagers/import/modele.csv").status == .forbidden)
                #expect(try await browser.post("/usagers/import", ["csv": "nom;prenom\nDurand;Inès\n", "etape": "importer"]).status == .forbidden)
            }
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers WHERE first_name = 'Inès'") == 0)
        }
    }

    /// A secretariat's whole list at once: 5,000 lines, previewed and imported in one go.
    @Test func aFileOfFiveThousandLinesIsPreviewedAndImportedWhole() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let secretary = try await world.makeAgent(in: setup.tenant, role: .secretariat, organisation: setup.organisation)
            // 100 people already there, who are in the file too.
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query(
                    """
                    INSERT INTO usagers (first_name, last_name, birth_date)
                    SELECT 'Prénom' || n, 'Nom' || n, date '1950-01-01' + n FROM generate_series(1, 100) n
                    """
                )
            }
            var file = "nom;prenom;date_naissance;telephone;email\r\n"
            for n in 1...5000 {
                let born = LocalDate(iso: "1950-01-01")!.adding(days: n)
                file += "Nom\(n);Prénom\(n);\(String(format: "%02d/%02d/%04d", born.day, born.month, born.year));+336\(String(format: "%08d", n));p\(n)@exemple.fr\r\n"
            }
            let before = try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers")
            let bytes = Array(file.utf8)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(secretary.email)
                try await browser.get("/usagers/import")
                let preview = try await upload(browser, app, to: "/usagers/import", file: bytes, named: "usagers.csv", fields: ["etape": "apercu"])
                #expect(preview.status == .ok && preview.text.contains("Aperçu : 5000 personnes") && preview.text.contains("100 avec une fiche au même nom"))
                let imported = try await upload(browser, app, to: "/usagers/import", file: [], named: "vide.csv", fields: [
                    "etape": "importer", "doublons": "completer", "csv": try Self.hiddenFile(in: preview.text),
                ])
                #expect(imported.status == .ok && imported.text.contains("4900 fiches créées · 100 fiches complétées · 0 ligne ignorée"))
            }
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers") == before + 4900)
            #expect(try await Self.count(world, setup.tenant, "SELECT count(*)::int FROM usagers WHERE email LIKE 'p%@exemple.fr' AND phone LIKE '+336%'") == 5000)
        }
    }
}
