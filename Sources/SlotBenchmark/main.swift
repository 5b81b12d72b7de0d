import Foundation
import Scheduling

// Benchmark of the pure slot engine on a département shaped like Pas-de-Calais: 300 agents at
// 64 lieux, weekday mornings and afternoons, about 17,000 appointments in the six weeks searched
// (150,000 a year), absences, holidays. Prints medians of several runs, and the ratio against
// a baseline measured in the same run: expanding the openings into occurrences alone.

struct Generator: RandomNumberGenerator {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

let clock = WallClock(timeZone: "Europe/Paris")!
let start = LocalDate(iso: "2027-01-04")!
let now = clock.instant(start, LocalTime("07:00")!)
var random = Generator()
let agents = 300
let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
var openingsByAgent: [[RecurringSpan]] = []
var busyByAgent: [[TimeRange]] = []
var absencesByAgent: [[RecurringSpan]] = []
for _ in 0..<agents {
    openingsByAgent.append([
        RecurringSpan(firstDay: start.adding(days: -200), start: LocalTime("09:00")!, end: LocalTime("12:00")!, recurrence: .weekly(interval: 1, on: weekdays, until: nil)),
        RecurringSpan(firstDay: start.adding(days: -200), start: LocalTime("13:30")!, end: LocalTime("17:00")!, recurrence: .weekly(interval: 1, on: weekdays, until: nil)),
    ])
    var busy: [TimeRange] = []
    for _ in 0..<58 {
        let day = start.adding(days: Int.random(in: 0..<42, using: &random))
        let minute = [540, 570, 600, 630, 660, 810, 840, 870, 900, 930, 960][Int.random(in: 0..<11, using: &random)]
        let begin = clock.instant(day, LocalTime(minutes: minute)!)
        busy.append(TimeRange(start: begin, end: begin.addingTimeInterval(1800)))
    }
    busyByAgent.append(busy)
    absencesByAgent.append(Int.random(in: 0..<4, using: &random) == 0
        ? [RecurringSpan(firstDay: start.adding(days: Int.random(in: 0..<42, using: &random)), start: LocalTime("00:00")!, end: LocalTime("23:59")!, recurrence: .once)]
        : [])
}
var holidays = Set(Holidays.days(year: 2027, departement: "62").keys)
holidays.formUnion(Holidays.days(year: 2026, departement: "62").keys)
let window = start...start.adding(days: 42)

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func measure(_ body: () -> Int) -> (seconds: Double, result: Int) {
    let begin = DispatchTime.now().uptimeNanoseconds
    let result = body()
    return (Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9, result)
}

var baseline: [Double] = [], engine: [Double] = []
var occurrences = 0, slots = 0
for _ in 0..<7 {
    let expansion = measure {
        openingsByAgent.reduce(0) { total, spans in total + spans.reduce(0) { $0 + $1.occurrences(in: window, clock: clock).count } }
    }
    baseline.append(expansion.seconds)
    occurrences = expansion.result
    let search = measure {
        var found = 0
        for agent in 0..<agents {
            found += SlotEngine.freeSlots(SlotQuery(
                openings: openingsByAgent[agent], absences: absencesByAgent[agent], busy: busyByAgent[agent], holidays: holidays,
                durationMinutes: 30, minimumDelayMinutes: 30, maximumDelayMinutes: 42 * 24 * 60, now: now, clock: clock
            )).count
        }
        return found
    }
    engine.append(search.seconds)
    slots = search.result
}
let appointments = busyByAgent.reduce(0) { $0 + $1.count }
print("== Slot engine (pure), \(agents) agents, 6 weeks, \(appointments) appointments, 7 runs")
print(String(format: "  baseline, expanding %d occurrences: median %.1f ms", occurrences, median(baseline) * 1000))
print(String(format: "  slot search, %d free slots of 30 min: median %.1f ms, %.0f occurrences/s, ratio search/baseline %.2f",
             slots, median(engine) * 1000, Double(occurrences) / median(engine), median(engine) / median(baseline)))
