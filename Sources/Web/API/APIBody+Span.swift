import Agenda
import Foundation
import Scheduling

/// The days, hours and recurrence fields of a request body, read (their JSON types checked) but
/// not yet judged: a write that changes some fields only applies them over the stored span in
/// its own transaction, then the rules of `RecurringSpan(_: PlageSpanDraft)` decide.
struct APISpanFields: Sendable {
    struct Series: Sendable {
        var kind = "", interval: Int?, weekdays: [Int] = [], ordinal: Int?, weekday: Int?, until = ""
    }

    var firstDay: String?
    var start: String?
    var end: String?
    /// A series rule given replaces the whole rule.
    var series: Series?

    /// The draft these fields make over `base` (over nothing, every field counts as given).
    func draft(over base: PlageSpanDraft?) -> PlageSpanDraft {
        var draft = base ?? PlageSpanDraft(firstDay: "", start: "", end: "")
        if base == nil || firstDay != nil { draft.firstDay = firstDay ?? "" }
        if base == nil || start != nil { draft.start = start ?? "" }
        if base == nil || end != nil { draft.end = end ?? "" }
        if let series {
            draft.repeatKind = series.kind
            draft.interval = series.interval ?? 1
            draft.weekdays = Set(series.weekdays)
            draft.ordinal = series.ordinal ?? 1
            draft.monthWeekday = series.weekday
            draft.until = series.until
        } else if base == nil {
            draft.repeatKind = "once"
        }
        return draft
    }

    /// The span over `base`, or a 422 naming each field at fault in the forms' words.
    func span(over base: PlageSpanDraft?) throws -> RecurringSpan {
        do {
            return try RecurringSpan(draft(over: base))
        } catch {
            throw APIProblem.invalid(error.problems.map { .init(field: $0.field, detail: $0.french) })
        }
    }
}

extension APIBody {
    /// `first_day`, `start_time`, `end_time` and `recurrence` as given (absent ones nil).
    mutating func spanFields() -> APISpanFields {
        var fields = APISpanFields()
        if self.fields["first_day"] != nil { fields.firstDay = text("first_day") }
        if self.fields["start_time"] != nil { fields.start = text("start_time") }
        if self.fields["end_time"] != nil { fields.end = text("end_time") }
        if let recurrence = object("recurrence") {
            fields.series = APISpanFields.Series(
                kind: recurrence.text("kind"), interval: integer(in: recurrence, "interval"), weekdays: integers(in: recurrence, "weekdays"),
                ordinal: integer(in: recurrence, "ordinal"), weekday: integer(in: recurrence, "weekday"), until: recurrence.text("until")
            )
        }
        return fields
    }

    /// A new recurring span from those fields, by the rules of the plage and absence forms.
    mutating func span() -> RecurringSpan? {
        let fields = spanFields()
        do {
            return try fields.span(over: nil)
        } catch let problem as APIProblem {
            for error in problem.errors { require(false, error.field, error.detail) }
            return nil
        } catch {
            return nil
        }
    }

    /// A whole number of the recurrence, nil when absent; another JSON type is an error.
    private mutating func integer(in recurrence: APIBody, _ name: String) -> Int? {
        guard let value = recurrence.fields[name], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number), let integer = Int(exactly: number.doubleValue) else {
            require(false, "recurrence", "recurrence.\(name) : attendu un nombre entier.")
            return nil
        }
        return integer
    }

    private mutating func integers(in recurrence: APIBody, _ name: String) -> [Int] {
        guard let value = recurrence.fields[name], !(value is NSNull) else { return [] }
        guard let numbers = value as? [NSNumber], numbers.allSatisfy({ !Self.isBoolean($0) && Int(exactly: $0.doubleValue) != nil }) else {
            require(false, "recurrence", "recurrence.\(name) : attendu une liste de nombres entiers (1 = lundi … 7 = dimanche).")
            return []
        }
        return numbers.compactMap { Int(exactly: $0.doubleValue) }
    }

    /// JSON's `true` and `false` arrive as numbers too (of type `c`): they are no day and no interval.
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
