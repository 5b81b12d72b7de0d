import Foundation
import Scheduling

/// Dates and times as French readers expect them, in the département's time zone.
public enum FrenchDates {
    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    /// "lundi 1er décembre 2026".
    public static func day(_ day: LocalDate) -> String {
        "\(day.weekday.frenchName) \(day.day == 1 ? "1er" : String(day.day)) \(months[day.month - 1]) \(day.year)"
    }

    /// "03/12/2026", as forms and spreadsheets write a date.
    public static func numeric(_ day: LocalDate) -> String {
        String(format: "%02d/%02d/%04d", day.day, day.month, day.year)
    }

    /// "lundi 30 novembre 2026 à 9 h 30", the time never split across lines.
    public static func when(_ date: Date, _ clock: WallClock) -> String {
        "\(day(clock.localDate(of: date))) à\u{00A0}\(clock.localTime(of: date).french.replacingOccurrences(of: " ", with: "\u{00A0}"))"
    }

    /// "lun. 30/11 à 9h30", for SMS where every character counts.
    public static func short(_ date: Date, _ clock: WallClock) -> String {
        let day = clock.localDate(of: date), time = clock.localTime(of: date)
        let minutes = time.minutes % 60
        return "\(day.weekday.frenchName.prefix(3)). \(String(format: "%02d/%02d", day.day, day.month)) à \(time.minutes / 60)h\(minutes == 0 ? "" : String(format: "%02d", minutes))"
    }

    /// "02/12/2026 14:05:09", for journals and message lists.
    public static func timestamp(_ date: Date, timeZone: String) -> String {
        Timestamps(timeZone: timeZone).string(from: date)
    }

    /// One formatter for a list of timestamps in one time zone.
    public struct Timestamps {
        let formatter = DateFormatter()

        public init(timeZone: String) {
            formatter.locale = Locale(identifier: "fr_FR")
            formatter.timeZone = TimeZone(identifier: timeZone)
            formatter.dateFormat = "dd/MM/yyyy HH:mm:ss"
        }

        public func string(from date: Date) -> String { formatter.string(from: date) }
    }
}
