import Foundation
import Scheduling
import Tenancy

/// The days, hours and recurrence of a plage d'ouverture or an absence as a person or a
/// program typed them, not yet checked: the page form and the API both fill one in, and
/// `RecurringSpan(_:)` applies the rules once for both.
public struct PlageSpanDraft: Sendable, Hashable {
    /// `AAAA-MM-JJ`.
    public var firstDay: String
    /// `HH:MM`, local time of the département.
    public var start: String
    public var end: String
    /// `once`, `weekly` or `monthly`; anything else is refused.
    public var repeatKind: String
    /// Weeks between two occurrences of a weekly series (1 to 4).
    public var interval: Int
    /// Days of a weekly series, 1 = Monday … 7 = Sunday; other numbers name no day.
    public var weekdays: Set<Int>
    /// Rank of the day in the month for a monthly series: 1 to 4, or -1 for the last.
    public var ordinal: Int
    /// Day of the week of a monthly series, 1 = Monday … 7 = Sunday.
    public var monthWeekday: Int?
    /// Last day of the series, `AAAA-MM-JJ`; empty for none.
    public var until: String

    public init(
        firstDay: String, start: String, end: String, repeatKind: String = "once", interval: Int = 1, weekdays: Set<Int> = [],
        ordinal: Int = 1, monthWeekday: Int? = nil, until: String = ""
    ) {
        self.firstDay = firstDay
        self.start = start
        self.end = end
        self.repeatKind = repeatKind
        self.interval = interval
        self.weekdays = weekdays
        self.ordinal = ordinal
        self.monthWeekday = monthWeekday
        self.until = until
    }

    /// The draft that shows a span as it is (its exceptions aside), for a change of some fields only.
    public init(of span: RecurringSpan) {
        self.init(firstDay: span.firstDay.description, start: span.start.description, end: span.end.description)
        switch span.recurrence {
        case .once:
            break
        case .weekly(let interval, let weekdays, let until):
            repeatKind = "weekly"
            self.interval = interval
            self.weekdays = Set(weekdays.map(\.rawValue))
            self.until = until?.description ?? ""
        case .monthly(_, let ordinal, let weekday, let until):
            repeatKind = "monthly"
            self.ordinal = ordinal
            monthWeekday = weekday.rawValue
            self.until = until?.description ?? ""
        }
    }
}

/// One thing wrong with a draft, in the words the plage and absence forms show.
public enum PlageSpanProblem: Sendable, Hashable {
    case firstDay
    case timeFormat
    case endBeforeStart
    case repeatKind
    case noWeekday
    case monthlyDay
    case interval
    case untilFormat
    case untilBeforeFirstDay

    public var french: String {
        switch self {
        case .firstDay: "Le premier jour doit être une date (AAAA-MM-JJ)."
        case .timeFormat: "Les heures s’écrivent HH:MM."
        case .endBeforeStart: "L’heure de fin doit suivre l’heure de début."
        case .repeatKind: "Choisissez une répétition."
        case .noWeekday: "Choisissez les jours de la semaine."
        case .monthlyDay: "Choisissez le rang et le jour du mois (par exemple le 2e mardi)."
        case .interval: "Une série hebdomadaire revient toutes les 1 à 4 semaines."
        case .untilFormat: "La date de fin doit être une date (AAAA-MM-JJ)."
        case .untilBeforeFirstDay: "La date de fin précède le premier jour."
        }
    }

    /// The API's name of the field at fault (hours under `start_time`, the series under `recurrence`).
    public var field: String {
        switch self {
        case .firstDay: "first_day"
        case .timeFormat, .endBeforeStart: "start_time"
        case .repeatKind, .noWeekday, .monthlyDay, .interval, .untilFormat, .untilBeforeFirstDay: "recurrence"
        }
    }
}

/// A draft refused, with every problem found (in the order the forms list them).
public struct PlageSpanError: DomainError, Hashable {
    public let problems: [PlageSpanProblem]

    public var refusal: Refusal { .invalid }
    public var title: String { "Jours ou heures invalides" }
    public var french: String { problems.map(\.french).joined(separator: " ") }
}

extension RecurringSpan {
    /// The span a draft describes, or every problem with it.
    public init(_ draft: PlageSpanDraft) throws(PlageSpanError) {
        var problems: [PlageSpanProblem] = []
        let firstDay = LocalDate(iso: draft.firstDay)
        let start = LocalTime(draft.start), end = LocalTime(draft.end)
        let weekdays = Set(draft.weekdays.compactMap(Weekday.init(rawValue:)))
        let until = draft.until.isEmpty ? nil : LocalDate(iso: draft.until)
        let monthWeekday = draft.monthWeekday.flatMap(Weekday.init(rawValue:))
        if firstDay == nil { problems.append(.firstDay) }
        if let start, let end {
            if end <= start { problems.append(.endBeforeStart) }
        } else {
            problems.append(.timeFormat)
        }
        if !["once", "weekly", "monthly"].contains(draft.repeatKind) { problems.append(.repeatKind) }
        if draft.repeatKind == "weekly", weekdays.isEmpty { problems.append(.noWeekday) }
        if draft.repeatKind == "weekly", !(1...4).contains(draft.interval) { problems.append(.interval) }
        if draft.repeatKind == "monthly", !(draft.ordinal == -1 || (1...4).contains(draft.ordinal)) || monthWeekday == nil {
            problems.append(.monthlyDay)
        }
        if !draft.until.isEmpty, until == nil { problems.append(.untilFormat) }
        if let until, let firstDay, until < firstDay { problems.append(.untilBeforeFirstDay) }
        guard problems.isEmpty, let firstDay, let start, let end else { throw PlageSpanError(problems: problems) }
        let recurrence: Recurrence = switch draft.repeatKind {
        case "weekly": .weekly(interval: draft.interval, on: weekdays, until: until)
        case "monthly": .monthly(interval: 1, ordinal: draft.ordinal, weekday: monthWeekday ?? firstDay.weekday, until: until)
        default: .once
        }
        self.init(firstDay: firstDay, start: start, end: end, recurrence: recurrence)
    }
}
