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
///
/// Conversions use the zone's UTC offset and day arithmetic rather than `Calendar`, which is
/// an order of magnitude slower: slot searches make hundreds of thousands of them.
public struct WallClock: Sendable {
    let zone: TimeZone

    public init?(timeZone identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.zone = zone
    }

    /// The instant a wall clock shows `time` on `date`. A time skipped by a clock change is
    /// pushed forward, as the clock itself does; in the repeated hour, the later one is taken.
    public func instant(_ date: LocalDate, _ time: LocalTime) -> Date {
        let wall = TimeInterval(date.dayNumber * 86_400 + time.minutes * 60)
        let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall))
        let candidate = wall - TimeInterval(guess)
        let actual = zone.secondsFromGMT(for: Date(timeIntervalSince1970: candidate))
        return Date(timeIntervalSince1970: actual == guess ? candidate : wall - TimeInterval(actual))
    }

    /// Seconds since the epoch as the wall clock counts them.
    private func wallSeconds(_ instant: Date) -> Int {
        Int((instant.timeIntervalSince1970 + TimeInterval(zone.secondsFromGMT(for: instant))).rounded(.down))
    }

    public func localDate(of instant: Date) -> LocalDate {
        let seconds = wallSeconds(instant)
        return LocalDate(dayNumber: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    public func localTime(of instant: Date) -> LocalTime {
        let seconds = wallSeconds(instant)
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        return LocalTime(minutes: inDay / 60)!
    }
}
