import Foundation
import SeededRandom
import Testing
@testable import Scheduling


@Suite struct SlotEngineTests {
    let paris = WallClock(timeZone: "Europe/Paris")!
    func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }
    func time(_ text: String) -> LocalTime { LocalTime(text)! }

    @Test func cutsAMorningIntoSlotsAndSkipsBusyOnes() {
        let monday = date("2026-11-30")
        let opening = RecurringSpan(firstDay: monday, start: time("09:00"), end: time("12:00"), recurrence: .once)
        let busy = TimeRange(start: paris.instant(monday, time("10:00")), end: paris.instant(monday, time("10:30")))
        let slots = SlotEngine.freeSlots(SlotQuery(
            openings: [opening], busy: [busy], durationMinutes: 45, now: paris.instant(date("2026-11-29"), time("12:00")), clock: paris
        ))
        #expect(slots.map { paris.localTime(of: $0.start).description } == ["09:00", "10:30", "11:15"])
    }

    @Test func aNineOClockOpeningStaysAtNineAcrossDaylightSaving() {
        let opening = RecurringSpan(
            firstDay: date("2026-03-23"), start: time("09:00"), end: time("10:00"),
            recurrence: .weekly(interval: 1, on: [.monday], until: nil)
        )
        let slots = SlotEngine.freeSlots(SlotQuery(
            openings: [opening], durationMinutes: 60, maximumDelayMinutes: 60 * 24 * 60,
            now: paris.instant(date("2026-03-22"), time("08:00")), clock: paris
        ))
        // Summer time starts on 29 March 2026, winter time on 25 October.
        #expect(slots.count >= 8)
        #expect(slots.allSatisfy { paris.localTime(of: $0.start) == time("09:00") })
        let utcHours = Set(slots.map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: $0.start).hour! })
        #expect(utcHours == [8, 7], "08:00 UTC in winter, 07:00 UTC in summer")
    }

    @Test func holidaysAbsencesAndChangedOccurrences() {
        let opening = RecurringSpan(
            firstDay: date("2026-05-11"), start: time("14:00"), end: time("16:00"),
            recurrence: .weekly(interval: 1, on: [.monday, .thursday], until: date("2026-05-31")),
            exceptions: [date("2026-05-18"): .cancelled, date("2026-05-21"): .moved(date: date("2026-05-22"), start: time("09:00"), end: time("10:00"))]
        )
        let absence = RecurringSpan(firstDay: date("2026-05-28"), start: time("00:00"), end: time("23:59"), recurrence: .once)
        let slots = SlotEngine.freeSlots(SlotQuery(
            openings: [opening], absences: [absence], holidays: Set(Holidays.days(year: 2026, departement: "62").keys),
            durationMinutes: 60, now: paris.instant(date("2026-05-01"), time("08:00")), clock: paris
        ))
        let days = slots.map { "\(paris.localDate(of: $0.start)) \(paris.localTime(of: $0.start))" }
        // 11 May: an ordinary Monday; 14 May is Ascension; 18 May cancelled; 21 May moved to
        // the 22nd at 9:00; 25 May is Whit Monday; 28 May is an absence.
        #expect(days == ["2026-05-11 14:00", "2026-05-11 15:00", "2026-05-22 09:00"])
    }

    @Test func bookingDelaysBoundTheSearch() {
        let opening = RecurringSpan(
            firstDay: date("2026-11-30"), start: time("09:00"), end: time("17:00"),
            recurrence: .weekly(interval: 1, on: Set(Weekday.allCases), until: nil)
        )
        let now = paris.instant(date("2026-11-30"), time("10:10"))
        let slots = SlotEngine.freeSlots(SlotQuery(
            openings: [opening], durationMinutes: 30, minimumDelayMinutes: 60, maximumDelayMinutes: 2 * 24 * 60, now: now, clock: paris
        ))
        #expect(slots.first.map { paris.localTime(of: $0.start) } == time("11:30"))
        #expect(slots.last.map { paris.localDate(of: $0.start) } == date("2026-12-02"))
        #expect(slots.last.map { paris.localTime(of: $0.start) } == time("10:00"))
    }

    /// Properties over random weeks of openings, absences and appointments.
    @Test(arguments: 0..<60)
    func randomSchedulesKeepEveryRule(seed: UInt64) {
        var random = SeededRandom(seed: seed &* 7919 &+ 1)
        let zone = ["Europe/Paris", "Indian/Reunion", "America/Cayenne"].randomElement(using: &random)!
        let clock = WallClock(timeZone: zone)!
        let first = LocalDate(iso: "2026-10-19")!.adding(days: Int.random(in: 0..<14, using: &random))
        func span() -> RecurringSpan {
            let start = Int.random(in: 6 * 4..<17 * 4, using: &random) * 15
            let length = Int.random(in: 2...16, using: &random) * 15
            let weekdays = Set((0..<Int.random(in: 1...5, using: &random)).map { _ in Weekday.allCases.randomElement(using: &random)! })
            return RecurringSpan(
                firstDay: first.adding(days: Int.random(in: 0..<7, using: &random)),
                start: LocalTime(minutes: start)!, end: LocalTime(minutes: min(start + length, 1439))!,
                recurrence: Bool.random(using: &random) ? .weekly(interval: Int.random(in: 1...2, using: &random), on: weekdays, until: nil) : .once
            )
        }
        let openings = (0..<Int.random(in: 1...4, using: &random)).map { _ in span() }
        let absences = (0..<Int.random(in: 0...2, using: &random)).map { _ in span() }
        let now = clock.instant(first, LocalTime(minutes: Int.random(in: 0..<1440, using: &random))!)
        let busy = (0..<Int.random(in: 0...12, using: &random)).map { _ in
            let start = now.addingTimeInterval(TimeInterval(Int.random(in: 0..<(30 * 24 * 4), using: &random) * 900))
            return TimeRange(start: start, end: start.addingTimeInterval(TimeInterval(Int.random(in: 1...6, using: &random) * 900)))
        }
        let holidays: Set<LocalDate> = [first.adding(days: Int.random(in: 0..<30, using: &random))]
        let query = SlotQuery(
            openings: openings, absences: absences, busy: busy, holidays: holidays,
            durationMinutes: [15, 20, 30, 45, 60].randomElement(using: &random)!,
            minimumDelayMinutes: Int.random(in: 0...240, using: &random), maximumDelayMinutes: Int.random(in: 1...30, using: &random) * 24 * 60,
            now: now, clock: clock
        )
        let slots = SlotEngine.freeSlots(query)
        let days = clock.localDate(of: now).adding(days: -1)...clock.localDate(of: now).adding(days: 32)
        let occurrences = openings.flatMap { $0.occurrences(in: days, clock: clock) }
        let blocked = busy + absences.flatMap { $0.occurrences(in: days, clock: clock) }
        for slot in slots {
            #expect(slot.minutes == query.durationMinutes)
            #expect(occurrences.contains { $0.contains(slot) }, "inside an opening")
            #expect(!blocked.contains { $0.overlaps(slot) }, "meets no appointment or absence")
            #expect(!holidays.contains(clock.localDate(of: slot.start)), "not on a holiday")
            #expect(slot.start >= now.addingTimeInterval(TimeInterval(query.minimumDelayMinutes * 60)))
            #expect(slot.start <= now.addingTimeInterval(TimeInterval(query.maximumDelayMinutes * 60)))
        }
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.0 < $0.1 }, "sorted, no duplicates")
        var shuffled = query
        shuffled.openings.shuffle(using: &random)
        shuffled.absences.shuffle(using: &random)
        shuffled.busy.shuffle(using: &random)
        #expect(SlotEngine.freeSlots(shuffled) == slots, "independent of input order")
    }
}

@Suite struct WallClockTests {
    /// Property: for every quarter hour of 2026 that exists on the wall clock, converting there
    /// and back gives it again, and agrees with Foundation's calendar, in four time zones.
    @Test(arguments: ["Europe/Paris", "Indian/Reunion", "America/Cayenne", "America/Guadeloupe"])
    func agreesWithFoundationAllYear(zoneName: String) throws {
        let clock = try #require(WallClock(timeZone: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zoneName))
        let first = LocalDate(iso: "2026-01-01")!
        for dayOffset in stride(from: 0, to: 365, by: 1) {
            let day = first.adding(days: dayOffset)
            for minutes in stride(from: 0, to: 1440, by: 15) {
                let time = LocalTime(minutes: minutes)!
                let instant = clock.instant(day, time)
                let reference = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
                if clock.localDate(of: instant) == day, clock.localTime(of: instant) == time {
                    #expect(reference.year == day.year && reference.month == day.month && reference.day == day.day)
                    #expect(reference.hour == time.hour && reference.minute == time.minute)
                } else {
                    // Only a time the clock skips may come back different: it is pushed forward by the change.
                    #expect(zoneName == "Europe/Paris" && day == LocalDate(iso: "2026-03-29") && time.hour == 2, "\(day) \(time)")
                    #expect(clock.localTime(of: instant).hour == 3)
                }
            }
        }
    }
}
