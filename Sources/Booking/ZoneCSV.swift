/// Zones as CSV, the way départements exchange them with a spreadsheet: header
/// `secteur;code_insee;commune;voie`, separated by `;` or `,`, an empty `voie` for a whole commune.
public enum ZoneCSV {
    public static let header = ["secteur", "code_insee", "commune", "voie"]

    /// Every zone of `text`, or every bad line with its reason: never part of the file.
    public static func parse(_ text: String) throws(ZoneCSVError) -> [ZoneLine] {
        let records: [CSVRecords.Record]
        do {
            records = try CSVRecords.splitSpreadsheet(text)
        } catch {
            throw ZoneCSVError([.init(line: error.line, reason: "Un guillemet ouvert n’est jamais refermé.")])
        }
        guard let first = records.first, first.fields.map(AddressKey.of) == header.map(AddressKey.of) else {
            throw ZoneCSVError([.init(line: 1, reason: "La première ligne doit être l’en-tête « \(header.joined(separator: ";")) ».")])
        }
        var reader = ZoneLineReader()
        for record in records.dropFirst() where !record.fields.allSatisfy(\.isEmpty) {
            reader.read(record)
        }
        guard reader.issues.isEmpty else { throw ZoneCSVError(reader.issues) }
        guard !reader.zones.isEmpty else {
            throw ZoneCSVError([.init(line: 2, reason: "Le fichier ne contient aucune zone après l’en-tête.")])
        }
        return reader.zones
    }

    /// CSV text of `zones`, separated by `;`, lines ended by CRLF; `parse` reads it back whole.
    public static func write(_ zones: [ZoneLine]) -> String {
        var text = header.joined(separator: ";") + "\r\n"
        for zone in zones {
            let fields = [zone.sectorName, zone.communeCode, zone.communeName, zone.streetName ?? ""]
            text += fields.map(quotedIfNeeded).joined(separator: ";") + "\r\n"
        }
        return text
    }

    static func quotedIfNeeded(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == ";" || $0 == "," || $0 == "\"" || $0.isNewline }
            || field.first?.isWhitespace == true || field.last?.isWhitespace == true
        return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}

/// A bad line of an imported CSV file: its number (1 is the header) and a French reason.
public struct CSVIssue: Sendable, Equatable {
    public let line: Int
    public let reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// The bad lines of a zones file, each with its number (1 is the header) and a French reason.
public struct ZoneCSVError: Error, Sendable, Equatable {
    public typealias Issue = CSVIssue

    public let issues: [Issue]

    public init(_ issues: [Issue]) {
        self.issues = issues
    }
}
