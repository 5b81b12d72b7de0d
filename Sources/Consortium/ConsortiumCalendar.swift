import Foundation
import Scheduling

/// The consortium's days: its conventions, deadlines and committees are dated in Paris.
public enum ConsortiumCalendar {
    static let timeZone = TimeZone(identifier: "Europe/Paris")!
    static let months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ]

    /// Today in Paris.
    public static func today(_ now: Date = Date()) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// "1er décembre 2026".
    public static func french(_ day: LocalDate) -> String {
        "\(day.day == 1 ? "1er" : String(day.day))\u{00A0}\(months[day.month - 1]) \(day.year)"
    }

    /// "décembre 2026".
    public static func frenchMonth(of day: LocalDate) -> String {
        "\(months[day.month - 1]) \(day.year)"
    }

    /// The quarter of `day`: 1 to 4.
    public static func quarter(of day: LocalDate) -> Int { (day.month - 1) / 3 + 1 }
}

extension LocalDate {
    /// The same day `count` months later (earlier when negative), on the month's last day when
    /// it has fewer days (31 January + 1 month = 28 or 29 February).
    public func adding(months count: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + count
        let year = index / 12, month = index % 12 + 1
        return LocalDate(year: year, month: month, day: min(day, LocalDate.daysIn(month: month, year: year)))!
    }
}
