import Foundation

/// A span of absolute time, start included, end excluded.
public struct TimeRange: Hashable, Sendable, Comparable {
    public let start: Date
    public let end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = max(start, end)
    }

    public func overlaps(_ other: TimeRange) -> Bool { start < other.end && other.start < end }

    public func contains(_ other: TimeRange) -> Bool { start <= other.start && other.end <= end }

    public var minutes: Int { Int(end.timeIntervalSince(start) / 60) }

    public static func < (lhs: TimeRange, rhs: TimeRange) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }
}

/// Wall-clock days and times of one time zone, turned into absolute instants. A 09:00 opening
/// stays at 09:00 local on both sides of a daylight-saving change.
public struct WallClock: Sendable {
    let calendar: Calendar

    public init?(timeZone identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    /// The instant a wall clock shows `time` on `date` (a time skipped by a clock change is
    /// pushed forward, as the clock itself does).
    public func instant(_ date: LocalDate, _ time: LocalTime) -> Date {
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    public func localDate(of instant: Date) -> LocalDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    public func localTime(of instant: Date) -> LocalTime {
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        return LocalTime(hour: parts.hour!, minute: parts.minute!)!
    }
}
