import Foundation

/// Splits CSV text into records of fields (RFC 4180 quoting, `\n`, `\r\n` or `\r` line ends),
/// each with the number of the line it starts on.
struct CSVRecords {
    struct Record {
        let line: Int
        let fields: [String]
    }

    /// A quoted field still open at the end of the text, and the line it started on.
    struct UnterminatedQuote: Error {
        let line: Int
    }

    /// The records of a file saved by a spreadsheet: its byte order mark skipped, separated by
    /// `;` unless the header line holds none and holds a comma.
    static func splitSpreadsheet(_ text: String) throws(UnterminatedQuote) -> [Record] {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let headerLine = text.prefix { !$0.isNewline }
        return try split(text, separator: !headerLine.contains(";") && headerLine.contains(",") ? "," : ";")
    }

    static func split(_ text: String, separator: Character) throws(UnterminatedQuote) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var characters = text.makeIterator()
        var pending: Character? = nil

        func endField() {
            fields.append(fieldWasQuoted ? field : field.trimmingSpaces())
            field = ""
            fieldWasQuoted = false
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
            } else if character == "\"", field.allSatisfy(\.isWhitespace) {
                field = ""
                quoted = true
                fieldWasQuoted = true
            } else if character == separator {
                endField()
            } else if character.isNewline {
                endField()
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                line += 1
                recordLine = line
            } else if !(fieldWasQuoted && character.isWhitespace) {
                field.append(character)
            }
        }
        if quoted { throw UnterminatedQuote(line: recordLine) }
        if !field.isEmpty || fieldWasQuoted || !fields.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}

/// The text of a file saved by a spreadsheet: UTF-8, or Windows-1252 when the bytes are not
/// UTF-8 (what a spreadsheet's "CSV" is in France).
public enum SpreadsheetText {
    public static func decode(_ bytes: [UInt8]) -> String {
        String(bytes: bytes, encoding: .utf8) ?? String(bytes: bytes, encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
    }
}
