import Agenda
import Scheduling
import Testing

/// The span rules the plage and absence forms and the API share: a draft becomes a span, or
/// every problem in the forms' order.
@Suite struct PlageSpanDraftTests {
    @Test func aDraftBecomesTheSpanItDescribesAndBack() throws {
        let weekly = try RecurringSpan(PlageSpanDraft(
            firstDay: "2030-02-04", start: "09:00", end: "12:00", repeatKind: "weekly", interval: 2, weekdays: [1, 3, 9], until: "2030-06-30"
        ))
        #expect(weekly.recurrence == .weekly(interval: 2, on: [.monday, .wednesday], until: LocalDate(iso: "2030-06-30")))
        #expect(try RecurringSpan(PlageSpanDraft(of: weekly)) == weekly)
        let monthly = try RecurringSpan(PlageSpanDraft(firstDay: "2030-02-05", start: "14:00", end: "15:00", repeatKind: "monthly", ordinal: -1, monthWeekday: 2))
        #expect(monthly.recurrence == .monthly(interval: 1, ordinal: -1, weekday: .tuesday, until: nil))
        #expect(try RecurringSpan(PlageSpanDraft(of: monthly)) == monthly)
        #expect(try RecurringSpan(PlageSpanDraft(firstDay: "2030-02-05", start: "14:00", end: "15:00")).recurrence == .once)
    }

    @Test func everyProblemIsNamedInTheFormsOrder() {
        func problems(_ draft: PlageSpanDraft) -> [PlageSpanProblem] {
            do {
                _ = try RecurringSpan(draft)
                return []
            } catch {
                return error.problems
            }
        }
        #expect(problems(PlageSpanDraft(firstDay: "demain", start: "10:00", end: "09:00", repeatKind: "weekly", interval: 7, until: "plus tard"))
            == [.firstDay, .endBeforeStart, .noWeekday, .interval, .untilFormat])
        #expect(problems(PlageSpanDraft(firstDay: "2030-02-04", start: "9h", end: "10:00", repeatKind: "tous les jours")) == [.timeFormat, .repeatKind])
        #expect(problems(PlageSpanDraft(firstDay: "2030-02-04", start: "09:00", end: "10:00", repeatKind: "monthly", ordinal: 5, monthWeekday: 1)) == [.monthlyDay])
        #expect(problems(PlageSpanDraft(firstDay: "2030-02-04", start: "09:00", end: "10:00", repeatKind: "weekly", weekdays: [1], until: "2030-01-31"))
            == [.untilBeforeFirstDay])
        // A once-only span ignores the series' fields, as the form does.
        #expect(problems(PlageSpanDraft(firstDay: "2030-02-04", start: "09:00", end: "10:00", interval: 9, ordinal: 0)).isEmpty)
        #expect(PlageSpanProblem.endBeforeStart.french == "L’heure de fin doit suivre l’heure de début." && PlageSpanProblem.endBeforeStart.field == "start_time")
    }
}
