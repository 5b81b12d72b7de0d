import Agenda
import Foundation

/// Reads a motif form: the short one of the set-up page, or the full one of a motif's page
/// (marked by a `full` field; there an unticked box means no).
enum MotifForm {
    static func rules(from fields: [String: String], base: MotifRules? = nil) -> (MotifRules?, [String]) {
        let full = fields["full"] == "1"
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
        var errors: [String] = []
        guard let serviceID = UUID(uuidString: fields["service"] ?? "") else { return (nil, ["Choisissez un service."]) }
        let duration = Int(fields["duration"] ?? "") ?? 0
        var rules = base ?? MotifRules(name: name, serviceID: serviceID, durationMinutes: duration)
        rules.name = name
        rules.serviceID = serviceID
        rules.durationMinutes = duration
        /// Minutes from a count of `unit` minutes typed in a field; the current value when left empty.
        func minutes(_ key: String, unit: Int, current: Int) -> Int {
            let text = (fields[key] ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return current }
            return (Int(text) ?? -1) * unit
        }
        rules.minimumDelayMinutes = minutes("minimum_hours", unit: 60, current: rules.minimumDelayMinutes)
        rules.maximumDelayMinutes = minutes("maximum_days", unit: 1440, current: rules.maximumDelayMinutes)
        let collective = fields["collective"] == "on"
        let capacity = Int(fields["capacity"] ?? "")
        if collective, capacity == nil { errors.append("Une séance collective compte de 2 à 500 places.") }
        rules.collectiveCapacity = collective ? (capacity ?? 0) : nil
        if full {
            rules.color = (fields["color"] ?? rules.color).lowercased()
            guard let location = LocationType(rawValue: fields["location_type"] ?? ""), let bookable = BookableBy(rawValue: fields["bookable_by"] ?? "") else {
                return (nil, ["Choisissez un type de lieu et qui peut réserver."])
            }
            rules.locationType = location
            rules.bookableBy = bookable
            rules.videoLinkTemplate = (fields["video_link_template"] ?? "").trimmingCharacters(in: .whitespaces)
            rules.cancellableByUsager = fields["cancellable"] == "on"
            rules.cancellationDeadlineMinutes = minutes("cancellation_hours", unit: 60, current: rules.cancellationDeadlineMinutes)
            rules.movableByUsager = fields["movable"] == "on"
            rules.moveDeadlineMinutes = minutes("move_hours", unit: 60, current: rules.moveDeadlineMinutes)
            rules.followUpOnly = fields["follow_up_only"] == "on"
            rules.sensitive = fields["sensitive"] == "on"
            rules.severalUpcomingAllowed = fields["several"] == "on"
            if fields["confirmation"] == "on" {
                var confirmation = rules.confirmation ?? ConfirmationRule()
                confirmation.requestHours = minutes("confirmation_request_hours", unit: 1, current: confirmation.requestHours)
                confirmation.deadlineHours = minutes("confirmation_deadline_hours", unit: 1, current: confirmation.deadlineHours)
                confirmation.unconfirmedAction = UnconfirmedAction(rawValue: fields["unconfirmed_action"] ?? "") ?? confirmation.unconfirmedAction
                confirmation.releaseSensitive = fields["release_sensitive"] == "on"
                rules.confirmation = confirmation
            } else {
                rules.confirmation = nil
            }
            rules.instructionsBefore = (fields["instructions_before"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            rules.instructionsAfter = (fields["instructions_after"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            rules.bookableBy = fields["online"] == "on" ? .everyone : .agents
        }
        errors += rules.problems.filter { !errors.contains($0) }
        return errors.isEmpty ? (rules, []) : (nil, errors)
    }

    /// The fields of the full form showing `rules`.
    static func fields(of rules: MotifRules) -> [String: String] {
        var fields = [
            "name": rules.name, "service": rules.serviceID.uuidString, "color": rules.color, "duration": String(rules.durationMinutes),
            "location_type": rules.locationType.rawValue, "video_link_template": rules.videoLinkTemplate,
            "minimum_hours": String(rules.minimumDelayMinutes / 60), "maximum_days": String(rules.maximumDelayMinutes / 1440),
            "bookable_by": rules.bookableBy.rawValue, "capacity": rules.collectiveCapacity.map(String.init) ?? "",
            "cancellation_hours": String(rules.cancellationDeadlineMinutes / 60), "move_hours": String(rules.moveDeadlineMinutes / 60),
            "instructions_before": rules.instructionsBefore, "instructions_after": rules.instructionsAfter,
        ]
        // An unticked request still shows the lead times it would use.
        let confirmation = rules.confirmation ?? ConfirmationRule()
        fields["confirmation_request_hours"] = String(confirmation.requestHours)
        fields["confirmation_deadline_hours"] = String(confirmation.deadlineHours)
        fields["unconfirmed_action"] = confirmation.unconfirmedAction.rawValue
        let boxes: [(String, Bool)] = [
            ("collective", rules.collectiveCapacity != nil), ("cancellable", rules.cancellableByUsager), ("movable", rules.movableByUsager),
            ("follow_up_only", rules.followUpOnly), ("sensitive", rules.sensitive), ("several", rules.severalUpcomingAllowed),
            ("confirmation", rules.confirmation != nil), ("release_sensitive", confirmation.releaseSensitive),
        ]
        for (key, on) in boxes where on { fields[key] = "on" }
        return fields
    }
}
