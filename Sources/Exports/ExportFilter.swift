import Agenda
import Foundation
import Scheduling
import Tenancy

/// What an export holds: RDVs or usagers, in which format, filtered how.
public struct ExportRequest: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case rdvs
        case usagers

        var source: any ExportSource {
            switch self {
            case .rdvs: RdvExportSource()
            case .usagers: UsagerExportSource()
            }
        }
    }

    public var kind: Kind
    public var format: SheetFormat
    public var filter: ExportFilter

    public init(kind: Kind, format: SheetFormat, filter: ExportFilter) {
        self.kind = kind
        self.format = format
        self.filter = filter
    }
}

/// The filter of an export. Dates are days of the département's calendar, both included;
/// for usagers, the RDV criteria keep those who had at least one RDV that matches.
public struct ExportFilter: Sendable, Equatable {
    public var from: LocalDate?
    public var to: LocalDate?
    public var organisationID: UUID?
    public var motifID: UUID?
    public var status: RdvStatus?

    public init(from: LocalDate? = nil, to: LocalDate? = nil, organisationID: UUID? = nil, motifID: UUID? = nil, status: RdvStatus? = nil) {
        self.from = from
        self.to = to
        self.organisationID = organisationID
        self.motifID = motifID
        self.status = status
    }

    /// Reads the filter from the fields of a form or a query (`du`, `au`, `organisation`,
    /// `motif`, `statut`); blank fields filter nothing.
    public static func parse(_ fields: [String: String]) throws(ExportError) -> ExportFilter {
        func value(_ name: String) -> String? {
            guard let text = fields[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        var filter = ExportFilter()
        if let text = value("du") {
            guard let date = day(text) else { throw .invalidDate(field: "du") }
            filter.from = date
        }
        if let text = value("au") {
            guard let date = day(text) else { throw .invalidDate(field: "au") }
            filter.to = date
        }
        if let from = filter.from, let to = filter.to, to < from { throw .reversedDates }
        if let text = value("organisation") {
            guard let id = UUID(uuidString: text) else { throw .unknownOrganisation }
            filter.organisationID = id
        }
        if let text = value("motif") {
            guard let id = UUID(uuidString: text) else { throw .unknownMotif }
            filter.motifID = id
        }
        if let text = value("statut") {
            guard let status = RdvStatus(rawValue: text) else { throw .invalidStatus }
            filter.status = status
        }
        return filter
    }

    /// 2026-12-03 (a date field) or 03/12/2026 (typed by hand), within reason.
    private static func day(_ text: String) -> LocalDate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let date: LocalDate?
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
           let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), parts[2].count == 4 {
            date = LocalDate(year: year, month: month, day: day)
        } else {
            date = LocalDate(iso: text)
        }
        guard let date, (1900...2200).contains(date.year) else { return nil }
        return date
    }

    /// Whether any criterion is about RDVs (for usagers: keep only those with such an RDV).
    var concernsRdvs: Bool { from != nil || to != nil || motifID != nil || status != nil }

    /// The filter in the audit journal: ids and ISO dates, never a name.
    var journal: [String: String] {
        var entry: [String: String] = [:]
        if let from { entry["du"] = from.description }
        if let to { entry["au"] = to.description }
        if let organisationID { entry["organisation"] = organisationID.uuidString }
        if let motifID { entry["motif"] = motifID.uuidString }
        if let status { entry["statut"] = status.rawValue }
        return entry
    }
}

public enum ExportError: Error, Equatable, Sendable {
    case forbidden
    case invalidDate(field: String)
    case reversedDates
    case unknownOrganisation
    case unknownMotif
    case invalidStatus
    case invalidFormat
    case tooManyRows(count: Int, maximum: Int)

    public var french: String {
        switch self {
        case .forbidden: "Seuls les administrateurs peuvent exporter des données, et seulement celles de leur organisation."
        case .invalidDate(let field): "La date de \(field == "du" ? "début" : "fin") n’est pas une date valide : attendu jj/mm/aaaa ou aaaa-mm-jj."
        case .reversedDates: "La date de fin précède la date de début."
        case .unknownOrganisation: "Cette organisation n’existe pas dans le département."
        case .unknownMotif: "Ce motif n’existe pas dans l’organisation choisie."
        case .invalidStatus: "Ce statut de RDV n’existe pas."
        case .invalidFormat: "Le format d’export doit être CSV ou XLSX."
        case .tooManyRows(let count, let maximum):
            "L’export compterait \(count) lignes, plus que les \(maximum) qu’un classeur XLSX peut contenir : réduisez la période ou choisissez le format CSV."
        }
    }

    /// The field a person should correct, for the form.
    public var field: String? {
        switch self {
        case .invalidDate(let field): field
        case .reversedDates: "au"
        case .unknownOrganisation: "organisation"
        case .unknownMotif: "motif"
        case .invalidStatus: "statut"
        case .invalidFormat: "format"
        case .forbidden, .tooManyRows: nil
        }
    }
}

extension ExportError: DomainError {
    public var refusal: Refusal {
        switch self {
        case .forbidden: .forbidden
        default: .invalid
        }
    }

    public var title: String {
        switch self {
        case .forbidden: "Export non autorisé"
        default: "Export impossible"
        }
    }
}
