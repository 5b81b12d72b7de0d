import Foundation
import Scheduling

/// A channel a message goes through.
public enum MessageChannel: String, Codable, Sendable, CaseIterable, Comparable {
    case sms, email

    public static func < (lhs: MessageChannel, rhs: MessageChannel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// When to remind: lead times before the appointment, each with its channels. Kept as JSON in
/// `notification_settings.reminder_policy` (the département's) and `motifs.reminder_policy`.
public struct ReminderPolicy: Codable, Sendable, Hashable {
    public struct Reminder: Codable, Sendable, Hashable {
        public var minutes: Int
        public var channels: [MessageChannel]

        public init(minutes: Int, channels: [MessageChannel]) {
            self.minutes = minutes
            self.channels = channels
        }
    }

    public var reminders: [Reminder]

    public init(reminders: [Reminder]) {
        self.reminders = reminders
    }

    /// SMS and email 48 h before, SMS 2 h before.
    public static let standard = ReminderPolicy(reminders: [
        Reminder(minutes: 48 * 60, channels: [.sms, .email]), Reminder(minutes: 120, channels: [.sms]),
    ])

    public init(from decoder: any Decoder) throws {
        reminders = try decoder.singleValueContainer().decode([Reminder].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(reminders)
    }
}

/// A reminder to send, and when.
public struct PlannedReminder: Sendable, Hashable {
    public let channel: MessageChannel
    public let sendAt: Date
}

/// Plans an appointment's reminders: each lead time of the policy on each channel, except those
/// already past at booking; a channel whose every lead time is past still gets one reminder
/// (RDV-Solidarités sent none to appointments booked less than 48 h ahead) when there is time
/// for it. No SMS in quiet hours: one that would fall there goes at the nearest allowed time
/// before the appointment. Wall-clock times are the département's, DST included.
public enum ReminderPlanner {
    /// SMS may go from 08:00 until 20:00 local time; the last one leaves at 19:55.
    public static let smsFrom = LocalTime(minutes: 8 * 60)!
    public static let smsLatest = LocalTime(minutes: 19 * 60 + 55)!
    /// A catch-up reminder is worth sending only this long before the appointment, and this long after booking.
    static let catchUpBefore: TimeInterval = 2 * 3600
    static let catchUpGap: TimeInterval = 3600

    public static func plan(start: Date, bookedAt: Date, policy: ReminderPolicy, clock: WallClock) -> [PlannedReminder] {
        var planned = Set<PlannedReminder>()
        for channel in MessageChannel.allCases {
            let leads = policy.reminders.filter { $0.channels.contains(channel) }.map { TimeInterval($0.minutes * 60) }
            guard !leads.isEmpty else { continue }
            var times = leads.map { start.addingTimeInterval(-$0) }.filter { $0 > bookedAt }
            if times.isEmpty {
                // Booked after every lead time: one reminder still, if it can come well after the booking.
                let catchUp = start.addingTimeInterval(-catchUpBefore)
                if catchUp.timeIntervalSince(bookedAt) >= catchUpGap { times = [catchUp] }
            }
            for time in times {
                let sendAt = channel == .sms ? allowedForSMS(time, before: start, after: bookedAt, clock: clock) : time
                if let sendAt { planned.insert(PlannedReminder(channel: channel, sendAt: sendAt)) }
            }
        }
        return planned.sorted { ($0.sendAt, $0.channel) < ($1.sendAt, $1.channel) }
    }

    /// `time` if it is in the daytime (08:00 to 19:55), otherwise the next morning's 08:00.
    public static func daytime(_ time: Date, clock: WallClock) -> Date {
        let local = clock.localTime(of: time), day = clock.localDate(of: time)
        if local >= smsFrom && local <= smsLatest { return time }
        return clock.instant(local > smsLatest ? day.adding(days: 1) : day, smsFrom)
    }

    /// `time` if SMS may leave then; otherwise the nearest allowed time that is still after the
    /// booking and before the appointment; nil when there is none.
    static func allowedForSMS(_ time: Date, before start: Date, after bookedAt: Date, clock: WallClock) -> Date? {
        let local = clock.localTime(of: time), day = clock.localDate(of: time)
        if local >= smsFrom && local <= smsLatest { return time }
        // The quiet night around `time`: the evening before it ends, the morning after it ends.
        let evening = local > smsLatest ? day : day.adding(days: -1)
        let candidates = [clock.instant(evening, smsLatest), clock.instant(evening.adding(days: 1), smsFrom)]
            .filter { $0 > bookedAt && $0 < start }
        return candidates.min { abs($0.timeIntervalSince(time)) < abs($1.timeIntervalSince(time)) }
    }
}
