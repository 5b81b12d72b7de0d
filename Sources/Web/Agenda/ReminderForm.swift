import Foundation
import Notifications

/// Reads and shows reminders as three rows of a form: hours before, by SMS, by email.
enum ReminderForm {
    static func policy(from fields: [String: String]) -> (ReminderPolicy, [String]) {
        var errors: [String] = []
        var reminders: [ReminderPolicy.Reminder] = []
        for index in 1...3 {
            let hoursText = (fields["rappel_\(index)_heures"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !hoursText.isEmpty else { continue }
            let channels = MessageChannel.allCases.filter { fields["rappel_\(index)_\($0.rawValue)"] == "on" }
            guard let hours = Int(hoursText), (1...336).contains(hours), !channels.isEmpty else {
                errors.append("Rappel \(index) : de 1 à 336 heures avant, par SMS ou courriel.")
                continue
            }
            reminders.append(.init(minutes: hours * 60, channels: channels))
        }
        return (ReminderPolicy(reminders: reminders), errors)
    }

    static func rows(_ policy: ReminderPolicy?) -> [[String: Any]] {
        (1...3).map { index -> [String: Any] in
            let reminder = policy.flatMap { $0.reminders.indices.contains(index - 1) ? $0.reminders[index - 1] : nil }
            return [
                "index": index, "hours": reminder.map { String($0.minutes / 60) } ?? "",
                "sms": reminder?.channels.contains(.sms) ?? false, "email": reminder?.channels.contains(.email) ?? false,
            ]
        }
    }
}
