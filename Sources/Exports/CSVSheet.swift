import Agenda

/// CSV as French spreadsheets open it by a double click: UTF-8 with a byte order mark,
/// semicolons, CRLF line ends, RFC 4180 quoting.
///
/// A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
/// an apostrophe: a spreadsheet would otherwise run it as a formula, and a usager's name or a
/// note is whatever someone typed (CSV injection).
struct CSVSheet: SheetWriter {
    private var output: [UInt8] = [0xEF, 0xBB, 0xBF]

    var pendingBytes: Int { output.count }

    mutating func header(_ columns: [String]) throws {
        try row(columns.map(SheetCell.text))
    }

    mutating func row(_ cells: [SheetCell]) throws {
        for (index, cell) in cells.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ";")) }
            switch cell {
            case .text(let text): append(field: text)
            case .number(let value): output.append(contentsOf: String(value).utf8)
            case .date(let date): output.append(contentsOf: FrenchDates.numeric(date).utf8)
            case .dateTime(let date, let minutes): output.append(contentsOf: SheetText.french(date, minutes: minutes).utf8)
            case .empty: break
            }
        }
        output.append(contentsOf: [13, 10])
    }

    mutating func finish() throws {}

    mutating func drain() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    private mutating func append(field text: String) {
        let utf8 = text.utf8
        let guarded = utf8.first.map { [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13].contains($0) } ?? false
        let quoted = guarded || utf8.contains { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
        if quoted { output.append(UInt8(ascii: "\"")) }
        if guarded { output.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { output.append(byte) }
            output.append(byte)
        }
        if quoted { output.append(UInt8(ascii: "\"")) }
    }
}
