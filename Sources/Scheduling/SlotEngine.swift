import Foundation

/// What a slot search needs to know, all in memory.
public struct SlotQuery: Sendable {
    public var openings: [RecurringSpan]
    public var absences: [RecurringSpan]
    /// Appointments already booked for the agent(s) of these openings.
    public var busy: [TimeRange]
    public var holidays: Set<LocalDate>
    public var durationMinutes: Int
    /// Booking delays of the motif: no slot sooner than `now + minimum` nor later than `now + maximum`.
    public var minimumDelayMinutes: Int
    public var maximumDelayMinutes: Int
    public var now: Date
    public var clock: WallClock

    public init(
        openings: [RecurringSpan], absences: [RecurringSpan] = [], busy: [TimeRange] = [], holidays: Set<LocalDate> = [],
        durationMinutes: Int, minimumDelayMinutes: Int = 30, maximumDelayMinutes: Int = 90 * 24 * 60, now: Date, clock: WallClock
    ) {
        self.openings = openings
        self.absences = absences
        self.busy = busy
        self.holidays = holidays
        self.durationMinutes = durationMinutes
        self.minimumDelayMinutes = minimumDelayMinutes
        self.maximumDelayMinutes = maximumDelayMinutes
        self.now = now
        self.clock = clock
    }
}

/// Free slots: each opening occurrence cut into consecutive slots of the motif's duration,
/// keeping those that start within the booking delays, fall on no holiday, and meet no
/// absence and no appointment. Pure: the same query always gives the same sorted answer,
/// whatever the order of its inputs.
public enum SlotEngine {
    public static func freeSlots(_ query: SlotQuery) -> [TimeRange] {
        guard query.durationMinutes > 0 else { return [] }
        let earliest = query.now.addingTimeInterval(TimeInterval(query.minimumDelayMinutes * 60))
        let latest = query.now.addingTimeInterval(TimeInterval(query.maximumDelayMinutes * 60))
        guard earliest <= latest else { return [] }
        // One day of margin on each side: an occurrence is dated in local time.
        let days = query.clock.localDate(of: earliest).adding(days: -1)...query.clock.localDate(of: latest).adding(days: 1)
        let blockers = Blockers(
            query.busy + query.absences.flatMap { $0.occurrences(in: days, clock: query.clock) }
        )
        let step = TimeInterval(query.durationMinutes * 60)
        var slots = Set<TimeRange>()
        for opening in query.openings {
            for occurrence in opening.occurrences(in: days, clock: query.clock) {
                guard !query.holidays.contains(query.clock.localDate(of: occurrence.start)) else { continue }
                var start = occurrence.start
                while start.addingTimeInterval(step) <= occurrence.end {
                    let slot = TimeRange(start: start, end: start.addingTimeInterval(step))
                    if slot.start >= earliest, slot.start <= latest, !blockers.overlaps(slot) { slots.insert(slot) }
                    start = slot.end
                }
            }
        }
        return slots.sorted()
    }
}

/// Busy spans merged and sorted, for a binary search per candidate slot.
struct Blockers {
    let spans: [TimeRange]

    init(_ ranges: [TimeRange]) {
        var merged: [TimeRange] = []
        for range in ranges.sorted() where range.end > range.start {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1] = TimeRange(start: last.start, end: max(last.end, range.end))
            } else {
                merged.append(range)
            }
        }
        spans = merged
    }

    func overlaps(_ slot: TimeRange) -> Bool {
        // First merged span ending after the slot starts; it overlaps if it starts before the slot ends.
        var low = 0, high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].end <= slot.start { low = middle + 1 } else { high = middle }
        }
        return low < spans.count && spans[low].start < slot.end
    }
}
