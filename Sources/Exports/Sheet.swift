import Agenda
import Scheduling

/// One cell of an exported table.
public enum SheetCell: Sendable, Equatable {
    case text(String)
    case number(Int)
    case date(LocalDate)
    /// A wall-clock time in the département's zone: its day and the minutes since midnight.
    case dateTime(LocalDate, minutes: Int)
    case empty
}

/// The two formats an export comes in.
public enum SheetFormat: String, Sendable, CaseIterable {
    case csv
    case xlsx

    public var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The most data rows the format holds: a worksheet has 1 048 576 rows, the header included.
    public var maximumRows: Int? {
        switch self {
        case .csv: nil
        case .xlsx: 1_048_575
        }
    }

    public func writer(sheetName: String) -> any SheetWriter {
        switch self {
        case .csv: CSVSheet()
        case .xlsx: XLSXSheet(sheetName: sheetName)
        }
    }
}

/// Writes a table row by row into `output`, which the caller drains whenever it likes: memory
/// stays that of a few rows, whatever the table's length.
public protocol SheetWriter {
    var pendingBytes: Int { get }
    mutating func header(_ columns: [String]) throws
    mutating func row(_ cells: [SheetCell]) throws
    mutating func finish() throws
    /// The bytes ready so far, handed over and forgotten.
    mutating func drain() -> [UInt8]
}

enum SheetText {
    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    static func french(_ date: LocalDate, minutes: Int) -> String {
        "\(FrenchDates.numeric(date)) \(twoDigits(minutes / 60)):\(twoDigits(minutes % 60))"
    }
}
