import Testing
@testable import Scheduling

@Suite struct CalendarTests {
    func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }

    @Test(arguments: [
        (2000, "2000-04-23"), (2019, "2019-04-21"), (2024, "2024-03-31"), (2025, "2025-04-20"),
        (2026, "2026-04-05"), (2027, "2027-03-28"), (2038, "2038-04-25"), (2285, "2285-03-22"),
    ])
    func easter(year: Int, expected: String) {
        #expect(Holidays.easterSunday(year: year) == LocalDate(iso: expected))
    }

    @Test func nationalHolidaysOf2026() {
        let days = Holidays.days(year: 2026, departement: "62")
        #expect(days.count == 11)
        #expect(days[date("2026-04-06")] == "Lundi de Pâques")
        #expect(days[date("2026-05-14")] == "Ascension")
        #expect(days[date("2026-05-25")] == "Lundi de Pentecôte")
        #expect(days[date("2026-07-14")] == "Fête nationale")
        #expect(days[date("2026-04-03")] == nil)
    }

    @Test func alsaceMoselleAndOverseasDays() {
        let moselle = Holidays.days(year: 2026, departement: "57")
        #expect(moselle.count == 13)
        #expect(moselle[date("2026-04-03")] == "Vendredi saint")
        #expect(moselle[date("2026-12-26")] == "Saint-Étienne")
        #expect(Holidays.days(year: 2026, departement: "974")[date("2026-12-20")] != nil)
        #expect(Holidays.days(year: 2026, departement: "971")[date("2026-05-27")] != nil)
        #expect(Holidays.days(year: 2026, departement: "976")[date("2026-04-27")] != nil)
        #expect(Holidays.days(year: 2026, departement: "26")[date("2026-12-20")] == nil)
    }

    @Test func weeklyEveryOtherWeek() {
        let recurrence = Recurrence.weekly(interval: 2, on: [.monday, .thursday], until: date("2026-12-31"))
        let days = recurrence.days(from: date("2026-11-02"), in: date("2026-11-01")...date("2026-11-30"))
        #expect(days.map(\.description) == ["2026-11-02", "2026-11-05", "2026-11-16", "2026-11-19", "2026-11-30"])
    }

    @Test func weeklyStopsAtItsEndAndNeverBeforeItsFirstDay() {
        let recurrence = Recurrence.weekly(interval: 1, on: [.wednesday], until: date("2026-11-18"))
        let days = recurrence.days(from: date("2026-11-04"), in: date("2026-10-01")...date("2026-12-31"))
        #expect(days.map(\.description) == ["2026-11-04", "2026-11-11", "2026-11-18"])
    }

    @Test func monthlyOnTheNthAndLastWeekday() {
        let second = Recurrence.monthly(interval: 1, ordinal: 2, weekday: .tuesday, until: nil)
        #expect(second.days(from: date("2026-01-01"), in: date("2026-01-01")...date("2026-04-30")).map(\.description)
            == ["2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14"])
        let last = Recurrence.monthly(interval: 2, ordinal: -1, weekday: .friday, until: nil)
        #expect(last.days(from: date("2026-01-01"), in: date("2026-01-01")...date("2026-06-30")).map(\.description)
            == ["2026-01-30", "2026-03-27", "2026-05-29"])
    }

    @Test func localTimes() {
        #expect(LocalTime("09:30")?.minutes == 570)
        #expect(LocalTime("9:30") == nil)
        #expect(LocalTime("24:00") == nil)
        #expect(LocalTime("13:05")?.french == "13 h 05")
        #expect(LocalTime("08:00")?.french == "8 h")
    }
}
