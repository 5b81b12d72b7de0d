import Foundation
import Testing
@testable import Scheduling

@Suite struct LocalDateTests {
    @Test func knownDays() throws {
        let epoch = try #require(LocalDate(year: 1970, month: 1, day: 1))
        #expect(epoch.dayNumber == 0)
        #expect(epoch.weekday == .thursday)
        let leap = try #require(LocalDate(year: 2028, month: 2, day: 29))
        #expect(leap.adding(days: 1) == LocalDate(year: 2028, month: 3, day: 1))
        #expect(LocalDate(iso: "2026-11-29")?.weekday == .sunday)
        #expect(LocalDate(iso: "2026-07-14")?.weekday == .tuesday)
        #expect(LocalDate(iso: "2026-11-29")?.description == "2026-11-29")
    }

    @Test func impossibleDaysAreRefused() {
        #expect(LocalDate(year: 2027, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2026, month: 4, day: 31) == nil)
        #expect(LocalDate(year: 2026, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        for text in ["2026-1-01", "26-01-01", "2026-01-01T00", "2026/01/01", "", "２０２６-01-01"] {
            #expect(LocalDate(iso: text) == nil, "\(text)")
        }
    }

    /// Property: day numbers and dates convert both ways, and each next day is one more,
    /// across four centuries (every leap rule included).
    @Test func dayNumbersRoundTripOverFourCenturies() {
        var date = LocalDate(year: 1900, month: 1, day: 1)!
        let start = date.dayNumber
        for offset in 0..<(146_097 + 366) {
            #expect(date.dayNumber == start + offset)
            #expect(LocalDate(dayNumber: date.dayNumber) == date)
            let next = date.adding(days: 1)
            #expect(next > date)
            date = next
        }
    }

    /// Property: agreement with Foundation's calendar on random days after 1583 (before that,
    /// Foundation switches to the Julian calendar; ours stays proleptic Gregorian).
    @Test func agreesWithFoundationOnRandomDays() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let dayNumber = Int.random(in: -130_000...200_000, using: &generator)
            let date = LocalDate(dayNumber: dayNumber)
            let reference = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: reference)
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day, "\(dayNumber)")
            // Foundation counts Sunday as 1.
            #expect((parts.weekday! + 5) % 7 + 1 == date.weekday.rawValue)
        }
    }
}
