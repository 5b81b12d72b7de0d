import Foundation
import PostgresNIO
import Scheduling

/// One kind of export: its French columns, the query that yields its rows in order, and how a
/// row of that query becomes cells.
protocol ExportSource: Sendable {
    var sheetName: String { get }
    var columns: [String] { get }
    func count(_ filter: ExportFilter, timeZone: String) -> PostgresQuery
    func rows(_ filter: ExportFilter, timeZone: String) -> PostgresQuery
    func cells(_ row: PostgresRandomAccessRow) throws -> [SheetCell]
    /// The usagers a row shows, for the access trail.
    func usagerIDs(_ row: PostgresRandomAccessRow) throws -> [UUID]
}

/// Values as the queries hand them over: local times as seconds since 1970-01-01 on the
/// département's wall clock (`EXTRACT(EPOCH FROM t AT TIME ZONE zone)`), dates as day numbers.
enum ExportValues {
    static func dateTime(localSeconds: Int64?) -> SheetCell {
        guard let seconds = localSeconds else { return .empty }
        let (days, rest) = floorDivision(seconds, 86_400)
        return .dateTime(LocalDate(dayNumber: Int(days)), minutes: Int(rest / 60))
    }

    static func date(localSeconds: Int64?) -> SheetCell {
        guard let seconds = localSeconds else { return .empty }
        return .date(LocalDate(dayNumber: Int(floorDivision(seconds, 86_400).0)))
    }

    /// "14:30".
    static func time(localSeconds: Int64?) -> SheetCell {
        guard let seconds = localSeconds else { return .empty }
        let minutes = Int(floorDivision(seconds, 86_400).1 / 60)
        return .text("\(SheetText.twoDigits(minutes / 60)):\(SheetText.twoDigits(minutes % 60))")
    }

    static func date(dayNumber: Int?) -> SheetCell {
        dayNumber.map { .date(LocalDate(dayNumber: $0)) } ?? .empty
    }

    static func text(_ value: String?) -> SheetCell {
        guard let value, !value.isEmpty else { return .empty }
        return .text(value)
    }

    /// A French number as people dial it (06 12 34 56 78); stored numbers are E.164 of France
    /// or its overseas départements, whose national form is 0 and the digits after the code.
    static func phone(_ e164: String?) -> SheetCell {
        guard let e164, e164.hasPrefix("+") else { return text(e164) }
        let national = "0" + (e164.hasPrefix("+33") ? e164.dropFirst(3) : e164.dropFirst(4))
        guard national.count == 10 else { return .text(e164) }
        var grouped = ""
        for (index, digit) in national.enumerated() {
            if index > 0, index % 2 == 0 { grouped.append(" ") }
            grouped.append(digit)
        }
        return .text(grouped)
    }

    static func yesNo(_ value: Bool) -> SheetCell { .text(value ? "Oui" : "Non") }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }
}

/// A query assembled from optional criteria: each present value becomes a numbered bind, so
/// the planner sees only the conditions that apply (and the SQL never holds a value).
struct QueryBuilder {
    private(set) var bindings = PostgresBindings()
    private var count = 0

    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        bindings.append(value)
        count += 1
        return "$\(count)"
    }

    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
