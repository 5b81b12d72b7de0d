import Foundation

/// A change to one occurrence of a series, leaving the series alone.
public enum OccurrenceChange: Hashable, Sendable {
    case cancelled
    /// Held on `date` from `start` to `end` instead (shorter, later, another day…).
    case moved(date: LocalDate, start: LocalTime, end: LocalTime)
}

/// Hours that repeat: a plage d'ouverture, or an absence. Times are wall-clock times of the
/// département; occurrences can be changed one by one.
public struct RecurringSpan: Hashable, Sendable {
    public let firstDay: LocalDate
    public let start: LocalTime
    public let end: LocalTime
    public let recurrence: Recurrence
    /// Keyed by the day the occurrence would have fallen on.
    public let exceptions: [LocalDate: OccurrenceChange]

    public init(
        firstDay: LocalDate, start: LocalTime, end: LocalTime, recurrence: Recurrence,
        exceptions: [LocalDate: OccurrenceChange] = [:]
    ) {
        self.firstDay = firstDay
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.exceptions = exceptions
    }

    /// Occurrences held on days of `range`, as absolute spans, sorted.
    public func occurrences(in range: ClosedRange<LocalDate>, clock: WallClock) -> [TimeRange] {
        var spans: [TimeRange] = []
        for day in recurrence.days(from: firstDay, in: range) where exceptions[day] == nil {
            spans.append(TimeRange(start: clock.instant(day, start), end: clock.instant(day, end)))
        }
        for (original, change) in exceptions {
            guard case .moved(let date, let start, let end) = change, range.contains(date),
                  !recurrence.days(from: firstDay, in: original...original).isEmpty
            else { continue }
            spans.append(TimeRange(start: clock.instant(date, start), end: clock.instant(date, end)))
        }
        return spans.filter { $0.end > $0.start }.sorted()
    }
}
