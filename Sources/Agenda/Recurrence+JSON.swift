import Foundation
import Scheduling

extension Recurrence {
    /// The JSON kept in `plages_ouverture.recurrence` and `absences.recurrence`.
    public var json: String {
        var object: [String: Any]
        switch self {
        case .once:
            object = ["kind": "once"]
        case .weekly(let interval, let weekdays, let until):
            object = ["kind": "weekly", "interval": interval, "weekdays": weekdays.map(\.rawValue).sorted()]
            if let until { object["until"] = until.description }
        case .monthly(let interval, let ordinal, let weekday, let until):
            object = ["kind": "monthly", "interval": interval, "ordinal": ordinal, "weekday": weekday.rawValue]
            if let until { object["until"] = until.description }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads the stored JSON; nil when it describes no recurrence this code knows.
    public init?(json: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
              let kind = object["kind"] as? String
        else { return nil }
        let until = (object["until"] as? String).flatMap(LocalDate.init(iso:))
        let interval = object["interval"] as? Int ?? 1
        switch kind {
        case "once":
            self = .once
        case "weekly":
            let weekdays = Set(((object["weekdays"] as? [Int]) ?? []).compactMap(Weekday.init(rawValue:)))
            guard !weekdays.isEmpty, interval >= 1 else { return nil }
            self = .weekly(interval: interval, on: weekdays, until: until)
        case "monthly":
            guard let ordinal = object["ordinal"] as? Int, let weekday = (object["weekday"] as? Int).flatMap(Weekday.init(rawValue:)) else {
                return nil
            }
            self = .monthly(interval: interval, ordinal: ordinal, weekday: weekday, until: until)
        default:
            return nil
        }
    }
}
