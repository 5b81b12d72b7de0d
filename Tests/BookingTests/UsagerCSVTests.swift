import Foundation
import Scheduling
import SeededRandom
import Testing
@testable import Agenda
@testable import Booking
@testable import Identity

@Suite struct UsagerCSVTests {
    static let today = LocalDate(iso: "2026-12-04")!
    static let referent = Agent(
        id: UUID(), email: "Claire.Martin@pas-de-calais.fr", firstName: "Claire", lastName: "Martin", role: .secretariat,
        organisationID: nil, passwordHash: nil, secondFactorEnabled: false, disabled: false
    )
    static let homonyms = ["Léa", "Lea"].map {
        Agent(id: UUID(), email: "\($0)@exemple.fr", firstName: $0, lastName: "Petit", role: .agent, organisationID: nil, passwordHash: nil, secondFactorEnabled: false, disabled: false)
    }
    static let departed = Agent(
        id: UUID(), email: "parti@exemple.fr", firstName: "Jean", lastName: "Parti", role: .agent, organisationID: nil, passwordHash: nil,
        secondFactorEnabled: false, disabled: true
    )
    static let agents = [referent, departed] + homonyms

    static func parse(_ text: String) throws(UsagerCSVError) -> [UsagerImportLine] {
        try UsagerCSV.parse(text, agents: agents, today: today)
    }

    static func issues(_ text: String) -> [CSVIssue] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func readsColumnsInAnyOrderWithFrenchHeadersFrenchDatesAndReferents() throws {
        let text = "\u{FEFF}Prénom;NOM;Date de naissance;Téléphone;Courriel;Adresse;Référent\r\n"
            + "Inès;Durand;15/03/1984;06 12 34 56 78;ines@exemple.fr;\"12 rue de la Paix; bât. B, 62000 Arras\";claire.martin@pas-de-calais.fr\r\n"
            + ";;;;;;\r\n"
            + "Noé;Lefèvre;2019-07-01;;;;Claire Martin\r\n"
            + "Paul;Martin\r\n"
            + "Zoé;Bernard;;;;\"Résidence Les Tilleuls\r\n  Bât. B\n\";\r\n"
        let lines = try Self.parse(text)
        #expect(lines.map(\.line) == [2, 4, 5, 6])
        #expect(lines[3].address == "Résidence Les Tilleuls, Bât. B", "a cell's lines become one")
        #expect(lines[0].identity == UsagerIdentity(
            firstName: "Inès", lastName: "Durand", birthDate: LocalDate(iso: "1984-03-15"), phone: "+33612345678", email: "ines@exemple.fr"
        ))
        #expect(lines[0].address == "12 rue de la Paix; bât. B, 62000 Arras" && lines[0].referentID == Self.referent.id)
        #expect(lines[1].identity.birthDate == LocalDate(iso: "2019-07-01") && lines[1].referentID == Self.referent.id, "by name, case and accents aside")
        #expect(lines[2].identity.phone == nil && lines[2].address == nil && lines[2].referentID == nil, "short lines: the missing columns are empty")
    }

    /// A spreadsheet of a French Windows saves "CSV" in Windows-1252, not UTF-8.
    @Test func aWindows1252FileReadsAsItsAccents() throws {
        let bytes: [UInt8] = Array("nom;prénom\r\nLefèvre;Inès\r\n".data(using: .windowsCP1252)!)
        #expect(String(bytes: bytes, encoding: .utf8) == nil, "not UTF-8")
        let lines = try Self.parse(SpreadsheetText.decode(bytes))
        #expect(lines.map(\.identity.lastName) == ["Lefèvre"] && lines.map(\.identity.firstName) == ["Inès"])
    }

    @Test func commasSeparateWhenTheHeaderHoldsNoSemicolon() throws {
        let lines = try Self.parse("nom,prenom,email\nDurand,Inès,ines@exemple.fr\n")
        #expect(lines.count == 1 && lines[0].identity.email == "ines@exemple.fr")
    }

    @Test func everyBadLineIsReportedWithItsNumberAndNothingIsReturned() {
        let text = """
            nom;prenom;date_naissance;telephone;email;adresse;referent
            Durand;Inès;31/02/1984;;;;
            ;Paul;;;;;
            Martin;Léo;1984-03-15;612345678;pas-une-adresse;;
            Petit;Zoé;01/01/2030;;;;inconnu@exemple.fr
            Bon;Jean;;;;;Léa Petit
            Bon;Jeanne;;;;;parti@exemple.fr
            Durand;Ines;;;;;
            DURAND;inès;;;;;
            Trop;De;champs;;;;;;x
            Vieux;Jean;12/12/1850;;;;
            """
        let issues = Self.issues(text)
        #expect(Set(issues.map(\.line)) == [2, 3, 4, 5, 6, 7, 9, 10, 11])
        func reasons(_ line: Int) -> [String] { issues.filter { $0.line == line }.map(\.reason) }
        #expect(reasons(2) == ["La date de naissance « 31/02/1984 » s’écrit JJ/MM/AAAA (par exemple 15/03/1984), avec l’année en 4 chiffres."])
        #expect(reasons(3) == ["Le nom est obligatoire (100 caractères au plus)."])
        #expect(reasons(4).count == 2 && reasons(4)[0].hasSuffix("Le tableur a peut-être retiré le 0 du début.") && reasons(4)[1] == "L’adresse électronique n’est pas valide.")
        #expect(reasons(5).count == 2 && reasons(5)[0].contains("n’est pas plausible") && reasons(5)[1].contains("« inconnu@exemple.fr » n’est pas un agent actif"))
        #expect(reasons(6) == ["Plusieurs agents s’appellent « Léa Petit » : donnez l’adresse électronique du référent."])
        #expect(reasons(7).first?.contains("n’est pas un agent actif") == true, "a deactivated agent is no referent")
        #expect(reasons(9).first?.hasPrefix("inès DURAND figure déjà ligne 8") == true && reasons(9).first?.contains("donnez leurs dates de naissance") == true)
        #expect(reasons(10).first?.contains("plus que les 7 colonnes") == true)
        #expect(reasons(11).first?.contains("pas plausible") == true)
    }

    @Test func theHeaderNamesItsColumnsOnceEachAndNeedsTheNames() {
        #expect(Self.issues("prenom;telephone;dossier\nInès;;42\n").map(\.reason) == [
            "La colonne « dossier » n’est pas reconnue : les colonnes possibles sont nom, prenom, date_naissance, telephone, email, adresse, referent, responsable. Supprimez-la ou renommez-la.",
            "La colonne « nom » manque : la première ligne doit nommer les colonnes, par exemple « nom;prenom;date_naissance;telephone;email;adresse;referent;responsable ».",
        ])
        #expect(Self.issues("nom;prenom;Nom\nA;B;C\n").map(\.reason) == ["La colonne « Nom » figure deux fois."])
        #expect(Self.issues("nom;prenom\n").map(\.line) == [2], "a header alone")
        #expect(Self.issues("nom;prenom\n\"Durand;Inès\n").map(\.line) == [2], "an unterminated quote names its line")
        #expect(Self.issues("").first?.line == 1)
    }

    @Test func aRelativeNamesTheLineOfThePersonResponsibleForThem() throws {
        let lines = try Self.parse("nom;prenom;responsable\nDurand;Inès;\nDurand;Noé;2\nDurand;Léa;2\n")
        #expect(lines.map(\.responsibleLine) == [nil, 2, 2])
        let issues = Self.issues("""
            nom;prenom;responsable
            Durand;Inès;
            Durand;Noé;2
            Durand;Léo;3
            Durand;Zoé;6

            Petit;Ana;deux
            Petit;Lou;8
            Petit;Jo;1
            """)
        #expect(issues.map(\.line) == [4, 5, 7, 8, 9])
        #expect(issues[0].reason == "La personne de la ligne 3 est elle-même rattachée à une autre : une personne responsable ne dépend de personne.")
        #expect(issues[1].reason == "La ligne 6, donnée comme responsable, ne contient personne.")
        #expect(issues[2].reason.contains("pas « deux »") && issues[3].reason.contains("pas sa propre responsable") && issues[4].reason.contains("pas « 1 »"))
    }

    @Test func aFileLargerThanTheLimitIsRefusedAsAWhole() {
        let text = "nom;prenom\n" + (1...(UsagerCSV.maximumLines + 1)).map { "Nom\($0);Prénom" }.joined(separator: "\n")
        #expect(Self.issues(text).map(\.line) == [1])
    }

    /// Any people written as a spreadsheet writes them (quotes where needed, `;` or `,`, CRLF or
    /// LF, columns in any order) read back as the same people.
    @Test(arguments: 0..<40) func writtenPeopleReadBackTheSame(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let pieces = ["Inès", "de la Tour", "O’Brien", "Jean-Luc", "N\"Guessan", "Zoé; Ana", "Léa, Marie", "  Ève  ", "Ünal"]
        var people: [UsagerIdentity] = []
        var addresses: [String?] = []
        for index in 0..<Int.random(in: 1...30, using: &random) {
            let born = Bool.random(using: &random) ? LocalDate(dayNumber: Int.random(in: -20_000...20_000, using: &random)) : nil
            let phone = Bool.random(using: &random) ? "+3361234\(String(format: "%04d", index))" : nil
            let email = Bool.random(using: &random) ? "personne\(index)@exemple.fr" : nil
            people.append(UsagerIdentity(
                firstName: pieces.randomElement(using: &random)!.trimmingCharacters(in: .whitespaces) + "\(index)",
                lastName: pieces.randomElement(using: &random)!.trimmingCharacters(in: .whitespaces), birthDate: born, phone: phone, email: email
            ))
            addresses.append(Bool.random(using: &random) ? "\(index) \(pieces.randomElement(using: &random)!.trimmingCharacters(in: .whitespaces))" : nil)
        }
        let columns = UsagerCSV.Column.allCases.filter { $0 != .referent && $0 != .responsible }.shuffled(using: &random)
        let separator: Character = Bool.random(using: &random) ? ";" : ","
        let end = Bool.random(using: &random) ? "\r\n" : "\n"
        func quoted(_ field: String) -> String {
            field.contains(where: { $0 == separator || $0 == "\"" || $0 == ";" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }
        var text = columns.map(\.rawValue).joined(separator: String(separator)) + end
        for (person, address) in zip(people, addresses) {
            let birth = person.birthDate.map { String(format: "%02d/%02d/%04d", $0.day, $0.month, $0.year) } ?? ""
            let values: [UsagerCSV.Column: String] = [
                .lastName: person.lastName, .firstName: person.firstName, .birthDate: birth, .phone: person.phone ?? "", .email: person.email ?? "",
                .address: address ?? "",
            ]
            text += columns.map { quoted(values[$0]!) }.joined(separator: String(separator)) + end
        }
        let lines = try Self.parse(text)
        #expect(lines.map(\.identity) == people, "seed \(seed)")
        #expect(lines.map(\.address) == addresses, "seed \(seed)")
    }
}
