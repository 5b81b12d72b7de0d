/// How a plage d'ouverture or an absence repeats, from its first day.
public enum Recurrence: Hashable, Sendable {
    /// Only the first day.
    case once
    /// On the given weekdays, every `interval` weeks (weeks start on Monday).
    case weekly(interval: Int, on: Set<Weekday>, until: LocalDate?)
    /// Every `interval` months, on the `ordinal`-th given weekday of the month (1…4, or -1
    /// for the last), as "the second Tuesday of each month".
    case monthly(interval: Int, ordinal: Int, weekday: Weekday, until: LocalDate?)

    /// The days it falls on from `first`, within `range` (both ends included), in order.
    public func days(from first: LocalDate, in range: ClosedRange<LocalDate>) -> [LocalDate] {
        let start = max(first, range.lowerBound)
        switch self {
        case .once:
            return range.contains(first) ? [first] : []
        case .weekly(let interval, let weekdays, let until):
            let last = until.map { min($0, range.upperBound) } ?? range.upperBound
            guard interval >= 1, !weekdays.isEmpty, start <= last else { return [] }
            let firstMonday = first.adding(days: 1 - first.weekday.rawValue)
            var days: [LocalDate] = []
            var day = start
            while day <= last {
                let week = firstMonday.days(until: day) / 7
                if week % interval == 0, weekdays.contains(day.weekday) { days.append(day) }
                day = day.adding(days: 1)
            }
            return days
        case .monthly(let interval, let ordinal, let weekday, let until):
            let last = until.map { min($0, range.upperBound) } ?? range.upperBound
            guard interval >= 1, ordinal == -1 || (1...4).contains(ordinal), start <= last else { return [] }
            var days: [LocalDate] = []
            var monthIndex = 0
            var year = first.year, month = first.month
            while let monthStart = LocalDate(year: year, month: month, day: 1), monthStart <= last {
                if monthIndex % interval == 0,
                   let day = Self.day(ordinal: ordinal, weekday: weekday, year: year, month: month),
                   day >= start, day <= last {
                    days.append(day)
                }
                monthIndex += 1
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
            return days
        }
    }

    /// The `ordinal`-th `weekday` of a month (-1: the last one).
    static func day(ordinal: Int, weekday: Weekday, year: Int, month: Int) -> LocalDate? {
        if ordinal == -1 {
            guard let lastDay = LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year)) else { return nil }
            let back = (lastDay.weekday.rawValue - weekday.rawValue + 7) % 7
            return lastDay.adding(days: -back)
        }
        guard let firstDay = LocalDate(year: year, month: month, day: 1) else { return nil }
        let forward = (weekday.rawValue - firstDay.weekday.rawValue + 7) % 7
        return firstDay.adding(days: forward + 7 * (ordinal - 1))
    }
}

extension Recurrence {
    /// The same recurrence stopped after `lastDay` (an earlier end stays).
    public func ending(on lastDay: LocalDate) -> Recurrence {
        switch self {
        case .once:
            return .once
        case .weekly(let interval, let weekdays, let until):
            return .weekly(interval: interval, on: weekdays, until: until.map { min($0, lastDay) } ?? lastDay)
        case .monthly(let interval, let ordinal, let weekday, let until):
            return .monthly(interval: interval, ordinal: ordinal, weekday: weekday, until: until.map { min($0, lastDay) } ?? lastDay)
        }
    }

    /// The last day it may fall on, nil when it goes on forever.
    public var until: LocalDate? {
        switch self {
        case .once: nil
        case .weekly(_, _, let until), .monthly(_, _, _, let until): until
        }
    }
}
