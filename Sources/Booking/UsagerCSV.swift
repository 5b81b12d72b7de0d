import Agenda
import Foundation
import Identity
import Scheduling
import Tenancy

/// One good line of a usagers file: who, their address and referent, and the line it was on.
public struct UsagerImportLine: Sendable, Equatable {
    public let line: Int
    public let identity: UsagerIdentity
    public let address: String?
    public let referentID: UUID?
    /// The line of this file of the person responsible for this one (a parent for a child).
    public let responsibleLine: Int?
}

/// Usagers as a secretariat keeps them in a spreadsheet: a header naming the columns (in any
/// order, French names with or without accents), separated by `;` or `,`, one person a line.
/// Only `nom` and `prenom` are required; `date_naissance` takes 15/03/1984 or 1984-03-15;
/// `referent` names an agent of the département by email or by « Prénom Nom »; `responsable`
/// the line number, in the same file, of the person a relative (a child) depends on.
public enum UsagerCSV {
    public enum Column: String, CaseIterable, Sendable {
        case lastName = "nom", firstName = "prenom", birthDate = "date_naissance", phone = "telephone"
        case email, address = "adresse", referent, responsible = "responsable"

        /// Header names a spreadsheet may use, as `AddressKey` folds them.
        var names: [String] {
            switch self {
            case .lastName: ["nom", "nom de famille", "nom d usage", "nom usage"]
            case .firstName: ["prenom", "prenoms"]
            case .birthDate: ["date naissance", "date de naissance", "naissance", "ne le", "ne e le"]
            case .phone: ["telephone", "tel", "portable", "mobile", "telephone portable", "numero de telephone"]
            case .email: ["email", "e mail", "mail", "courriel", "adresse electronique", "adresse mail", "adresse e mail"]
            case .address: ["adresse", "adresse postale"]
            case .referent: ["referent", "referente", "referent e", "agent referent", "referent unique"]
            case .responsible: ["responsable", "ligne responsable", "ligne du responsable", "responsable ligne", "parent"]
            }
        }
    }

    /// The largest file taken at once (a larger one is cut into several).
    public static let maximumLines = 20_000

    /// The header line a template file starts with.
    public static let header = Column.allCases.map(\.rawValue).joined(separator: ";")
    /// A line of the template file, to be replaced by the service's own.
    public static let example = "Durand;Inès;15/03/1984;06 12 34 56 78;ines.durand@exemple.fr;12 rue de la Paix 62000 Arras;"

    /// Every person of `text`, or every bad line with its reason: never part of the file.
    /// `agents` are the département's, for the referent column; `today` bounds birth dates.
    public static func parse(_ text: String, agents: [Agent], today: LocalDate) throws(UsagerCSVError) -> [UsagerImportLine] {
        let records: [CSVRecords.Record]
        do {
            records = try CSVRecords.splitSpreadsheet(text)
        } catch {
            throw UsagerCSVError([.init(line: error.line, reason: "Un guillemet ouvert n’est jamais refermé.")])
        }
        guard let first = records.first else {
            throw UsagerCSVError([.init(line: 1, reason: "Le fichier est vide : la première ligne doit nommer les colonnes, par exemple « \(header) ».")])
        }
        let columns = try columns(of: first)
        let people = records.dropFirst().filter { !$0.fields.allSatisfy(\.isEmpty) }
        guard !people.isEmpty else { throw UsagerCSVError([.init(line: 2, reason: "Le fichier ne contient aucune personne après l’en-tête.")]) }
        guard people.count <= maximumLines else {
            throw UsagerCSVError([.init(line: 1, reason: "Le fichier compte \(people.count) personnes : importez-en \(maximumLines) au plus à la fois, en plusieurs fichiers.")])
        }
        var reader = UsagerLineReader(columns: columns, referents: ReferentIndex(agents), today: today)
        for record in people { reader.read(record) }
        reader.checkResponsibles(lines: Set(people.map(\.line)))
        guard reader.issues.isEmpty else { throw UsagerCSVError(reader.issues.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)) }
        return reader.lines
    }

    /// The position of each column named by the header, or what is wrong with it.
    static func columns(of headerLine: CSVRecords.Record) throws(UsagerCSVError) -> [Column: Int] {
        var columns: [Column: Int] = [:]
        var issues: [CSVIssue] = []
        for (index, name) in headerLine.fields.enumerated() {
            let key = AddressKey.of(name)
            if key.isEmpty {
                issues.append(.init(line: 1, reason: "La colonne \(index + 1) n’a pas de nom : supprimez-la ou nommez-la."))
            } else if let column = Column.allCases.first(where: { $0.names.contains(key) }) {
                if columns[column] != nil { issues.append(.init(line: 1, reason: "La colonne « \(name) » figure deux fois.")) }
                columns[column] = index
            } else {
                issues.append(.init(line: 1, reason: "La colonne « \(name) » n’est pas reconnue : les colonnes possibles sont \(Column.allCases.map(\.rawValue).joined(separator: ", ")). Supprimez-la ou renommez-la."))
            }
        }
        for required in [Column.lastName, .firstName] where columns[required] == nil {
            issues.append(.init(line: 1, reason: "La colonne « \(required.rawValue) » manque : la première ligne doit nommer les colonnes, par exemple « \(header) »."))
        }
        guard issues.isEmpty else { throw UsagerCSVError(issues) }
        return columns
    }

    /// A birth date as spreadsheets write it: 15/03/1984, 15-03-1984, 15.03.1984 or 1984-03-15.
    static func birthDate(_ text: String) -> LocalDate? {
        if let iso = LocalDate(iso: text) { return iso }
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).map(String.init)
        guard parts.count == 3, parts[2].count == 4, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }
}

/// The bad lines of a usagers file, each with its number (1 is the header) and a French reason.
public struct UsagerCSVError: Error, Sendable, Equatable {
    public let issues: [CSVIssue]

    public init(_ issues: [CSVIssue]) {
        self.issues = issues
    }
}

/// The agents a referent column may name: by email, or by « Prénom Nom » when no other active
/// agent bears it.
struct ReferentIndex {
    private var byEmail: [String: Agent] = [:]
    private var byName: [String: [Agent]] = [:]

    init(_ agents: [Agent]) {
        for agent in agents where !agent.disabled {
            byEmail[agent.email.lowercased()] = agent
            byName[AddressKey.of(agent.fullName), default: []].append(agent)
        }
    }

    func find(_ text: String) -> Result<UUID, CSVReason> {
        if let agent = byEmail[text.lowercased()] { return .success(agent.id) }
        let named = byName[AddressKey.of(text)] ?? []
        if named.count == 1 { return .success(named[0].id) }
        if named.count > 1 { return .failure(CSVReason("Plusieurs agents s’appellent « \(text) » : donnez l’adresse électronique du référent.")) }
        return .failure(CSVReason("Le référent « \(text) » n’est pas un agent actif du département (donnez son adresse électronique ou ses prénom et nom)."))
    }
}

struct CSVReason: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

/// Checks the lines of a usagers file one by one, keeping the good and the reasons of the bad.
struct UsagerLineReader {
    let columns: [UsagerCSV.Column: Int]
    let referents: ReferentIndex
    let today: LocalDate
    private(set) var lines: [UsagerImportLine] = []
    private(set) var issues: [CSVIssue] = []
    /// The line of each person seen, to refuse one person given twice.
    private var seen: [UsagerNameKey: Int] = [:]

    init(columns: [UsagerCSV.Column: Int], referents: ReferentIndex, today: LocalDate) {
        self.columns = columns
        self.referents = referents
        self.today = today
    }

    mutating func read(_ record: CSVRecords.Record) {
        let width = (columns.values.max() ?? 0) + 1
        guard record.fields.count <= width || record.fields[width...].allSatisfy(\.isEmpty) else {
            issues.append(.init(line: record.line, reason: "La ligne compte \(record.fields.count) champs, plus que les \(width) colonnes de l’en-tête (un séparateur en trop ?)."))
            return
        }
        func field(_ column: UsagerCSV.Column) -> String {
            guard let index = columns[column], index < record.fields.count else { return "" }
            return record.fields[index].trimmingSpaces()
        }
        var reasons: [String] = []
        let birthText = field(.birthDate)
        var birthISO = ""
        if !birthText.isEmpty {
            if let date = UsagerCSV.birthDate(birthText) {
                birthISO = date.description
                if date.year < 1900 || date > today { reasons.append("La date de naissance « \(birthText) » n’est pas plausible.") }
            } else {
                reasons.append("La date de naissance « \(birthText) » s’écrit JJ/MM/AAAA (par exemple 15/03/1984), avec l’année en 4 chiffres.")
            }
        }
        let phoneText = field(.phone)
        let (identity, errors) = UsagerIdentity.read(
            firstName: field(.firstName), lastName: field(.lastName), birthDate: birthISO, phone: phoneText, email: field(.email)
        )
        for error in errors where error.field != "birth_date" {
            if error.field == "phone", phoneText.count == 9, phoneText.allSatisfy(\.isASCIIDigit) {
                reasons.append(error.message + " Le tableur a peut-être retiré le 0 du début.")
            } else {
                reasons.append(error.message)
            }
        }
        var address: String?
        switch UsagerAddress.read(field(.address)) {
        case .success(let line): address = line
        case .failure(let error): reasons.append(error.message)
        }
        var referentID: UUID?
        let referent = field(.referent)
        if !referent.isEmpty {
            switch referents.find(referent) {
            case .success(let id): referentID = id
            case .failure(let reason): reasons.append(reason.text)
            }
        }
        let responsibleText = field(.responsible)
        var responsibleLine: Int?
        if !responsibleText.isEmpty {
            if let number = Int(responsibleText), number > 1 {
                responsibleLine = number
                if number == record.line { reasons.append("Une personne n’est pas sa propre responsable : la colonne responsable donne la ligne d’une autre personne du fichier.") }
            } else {
                reasons.append("La colonne responsable donne le numéro de la ligne de la personne responsable dans ce fichier (par exemple 2), pas « \(responsibleText) ».")
            }
        }
        guard reasons.isEmpty, let identity else {
            issues += reasons.map { .init(line: record.line, reason: $0) }
            return
        }
        let key = UsagerNameKey(identity.firstName, identity.lastName, identity.birthDate)
        if let earlier = seen[key] {
            let hint = identity.birthDate == nil ? " ; s’il s’agit de deux personnes, donnez leurs dates de naissance" : ""
            issues.append(.init(line: record.line, reason: "\(identity.firstName) \(identity.lastName) figure déjà ligne \(earlier) : une personne ne figure qu’une fois\(hint)."))
            return
        }
        seen[key] = record.line
        lines.append(UsagerImportLine(line: record.line, identity: identity, address: address, referentID: referentID, responsibleLine: responsibleLine))
    }

    /// A relative's responsible is another person of the file who answers to nobody (a
    /// relative has no relatives); `people` are the lines that hold someone.
    mutating func checkResponsibles(lines people: Set<Int>) {
        let byLine = Dictionary(uniqueKeysWithValues: lines.map { ($0.line, $0) })
        for line in lines {
            guard let target = line.responsibleLine, target != line.line else { continue }
            guard people.contains(target) else {
                issues.append(.init(line: line.line, reason: "La ligne \(target), donnée comme responsable, ne contient personne."))
                continue
            }
            // A responsible line with errors of its own is reported there.
            if let responsible = byLine[target], responsible.responsibleLine != nil {
                issues.append(.init(line: line.line, reason: "La personne de la ligne \(target) est elle-même rattachée à une autre : une personne responsable ne dépend de personne."))
            }
        }
    }
}
