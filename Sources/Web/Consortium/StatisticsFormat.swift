import Consortium
import Foundation

/// French typography for published figures: « 1 234 », « 12,5 % », « janvier 2026 », and the
/// words of statistical secrecy.
enum StatisticsFormat {
    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    /// The thin no-break space French puts between digit groups and before « % ».
    static let thinSpace = "\u{202F}"

    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "−" : "") + groups.joined(separator: thinSpace)
    }

    /// One decimal, with a decimal comma; no decimal when it is zero (« 12 », « 12,5 »).
    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let whole = integer(tenths / 10)
        return tenths % 10 == 0 ? whole : "\(whole),\(abs(tenths % 10))"
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        decimal(Double(part) * 100 / Double(whole)) + thinSpace + "%"
    }

    /// « janvier 2026 » for `"2026-01"`.
    static func month(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return key }
        return "\(months[month - 1]) \(parts[0])"
    }

    /// A published cell as a page shows it.
    static func text(_ cell: StatisticsTable.Cell) -> String {
        switch cell {
        case .count(let count): integer(count)
        case .small: "< 5"
        case .secret: "secret"
        case .days(let days): decimal(days)
        case .none: "—"
        }
    }

    /// A published cell in a CSV file: digits without grouping, a decimal comma.
    static func csv(_ cell: StatisticsTable.Cell) -> String {
        switch cell {
        case .count(let count): String(count)
        case .days(let days): decimal(days).replacingOccurrences(of: thinSpace, with: "")
        default: text(cell)
        }
    }
}

/// Months as the pages name them: `"YYYY-MM"` keys.
struct StatisticsMonth: Sendable, Hashable {
    let year: Int
    let month: Int

    /// The month of `date` in Paris, the consortium's reference clock.
    init(containing date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        self.init(year: parts.year!, month: parts.month!)
    }

    init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `"2026-01"`; nil for anything else.
    init?(key: String) {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard key.count == 7, parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              (2000...2999).contains(year), (1...12).contains(month) else { return nil }
        self.init(year: year, month: month)
    }

    var key: String { String(format: "%04d-%02d", year, month) }
    var label: String { StatisticsFormat.month(key) }

    func adding(_ months: Int) -> StatisticsMonth {
        let index = year * 12 + (month - 1) + months
        return StatisticsMonth(year: index / 12, month: index % 12 + 1)
    }

    /// The `count` months ending with this one, oldest first.
    func window(_ count: Int) -> [StatisticsMonth] {
        (0..<count).map { adding($0 - count + 1) }
    }
}
