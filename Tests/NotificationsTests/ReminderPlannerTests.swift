import Foundation
import Notifications
import Scheduling
import Testing

@Suite struct ReminderPlannerTests {
    let paris = WallClock(timeZone: "Europe/Paris")!

    func at(_ day: String, _ time: String, _ clock: WallClock? = nil) -> Date {
        (clock ?? paris).instant(LocalDate(iso: day)!, LocalTime(time)!)
    }

    func describe(_ planned: [PlannedReminder], _ clock: WallClock? = nil) -> [String] {
        let clock = clock ?? paris
        return planned.map { "\($0.channel.rawValue) \(clock.localDate(of: $0.sendAt)) \(clock.localTime(of: $0.sendAt))" }
    }

    @Test func bookedWellAheadGetsEveryReminder() {
        let start = at("2027-05-10", "10:00")
        let planned = ReminderPlanner.plan(start: start, bookedAt: at("2027-04-30", "12:00"), policy: .standard, clock: paris)
        #expect(describe(planned) == ["email 2027-05-08 10:00", "sms 2027-05-08 10:00", "sms 2027-05-10 08:00"])
    }

    @Test func bookedAfterALeadTimeStillGetsTheNextReminderOnEachChannel() {
        let start = at("2027-05-10", "15:00")
        let planned = ReminderPlanner.plan(start: start, bookedAt: at("2027-05-09", "09:00"), policy: .standard, clock: paris)
        // The 48 h reminders are past: SMS keeps its 2 h one, email gets a catch-up 2 h before.
        #expect(describe(planned) == ["email 2027-05-10 13:00", "sms 2027-05-10 13:00"])
        let tooLate = ReminderPlanner.plan(start: start, bookedAt: at("2027-05-10", "13:30"), policy: .standard, clock: paris)
        #expect(tooLate.isEmpty, "booked 90 minutes before: the confirmation is enough")
    }

    @Test func noSMSInQuietHoursTheNearestAllowedTimeBeforeTheAppointment() {
        // 2 h before 09:00 is 07:00: the SMS waits for 08:00, still before the appointment.
        let morning = ReminderPlanner.plan(start: at("2027-05-10", "09:00"), bookedAt: at("2027-05-01", "09:00"), policy: .standard, clock: paris)
        #expect(describe(morning).contains("sms 2027-05-10 08:00"))
        // 48 h before 21:30 is 21:30: the evening's last allowed time comes nearer than the next morning.
        let evening = ReminderPlanner.plan(start: at("2027-05-12", "21:30"), bookedAt: at("2027-05-01", "09:00"), policy: .standard, clock: paris)
        #expect(describe(evening).contains("sms 2027-05-10 19:55"))
        #expect(describe(evening).contains("email 2027-05-10 21:30"), "emails have no quiet hours")
        // At 08:00 itself the appointment starts: the SMS goes the evening before.
        let eight = ReminderPlanner.plan(start: at("2027-05-10", "08:00"), bookedAt: at("2027-05-01", "09:00"), policy: .standard, clock: paris)
        #expect(describe(eight).contains("sms 2027-05-09 19:55"))
    }

    @Test func quietHoursFollowTheLocalClockAcrossDaylightSavingChanges() {
        // Summer time starts on Sunday 28 March 2027 in Paris: 07:00 local that Monday is 05:00 UTC.
        let planned = ReminderPlanner.plan(start: at("2027-03-29", "09:00"), bookedAt: at("2027-03-20", "09:00"), policy: .standard, clock: paris)
        #expect(describe(planned).contains("sms 2027-03-29 08:00"))
        // 48 h is counted in real time: across the change it is 08:00 local, not 09:00.
        #expect(describe(planned).contains("sms 2027-03-27 08:00"))
        let reunion = WallClock(timeZone: "Indian/Reunion")!
        let overseas = ReminderPlanner.plan(start: at("2027-03-29", "09:00", reunion), bookedAt: at("2027-03-20", "09:00", reunion), policy: .standard, clock: reunion)
        #expect(describe(overseas, reunion) == ["email 2027-03-27 09:00", "sms 2027-03-27 09:00", "sms 2027-03-29 08:00"])
    }

    @Test func everyPlanHoldsItsRulesWhateverTheTimes() {
        var generator = SystemRandomNumberGenerator()
        let policies: [ReminderPolicy] = [
            .standard, ReminderPolicy(reminders: [.init(minutes: 24 * 60, channels: [.sms])]),
            ReminderPolicy(reminders: [.init(minutes: 7 * 24 * 60, channels: [.email]), .init(minutes: 30, channels: [.sms, .email])]),
        ]
        for _ in 0..<2_000 {
            let start = at("2027-01-01", "00:00").addingTimeInterval(TimeInterval(Int.random(in: 0..<(365 * 96), using: &generator) * 900))
            let bookedAt = start.addingTimeInterval(-TimeInterval(Int.random(in: 0..<(20 * 24 * 4), using: &generator) * 900))
            let policy = policies.randomElement(using: &generator)!
            let planned = ReminderPlanner.plan(start: start, bookedAt: bookedAt, policy: policy, clock: paris)
            #expect(planned.allSatisfy { $0.sendAt > bookedAt && $0.sendAt < start })
            #expect(Set(planned).count == planned.count)
            for reminder in planned where reminder.channel == .sms {
                let local = paris.localTime(of: reminder.sendAt)
                #expect(local >= ReminderPlanner.smsFrom && local <= ReminderPlanner.smsLatest, "SMS at \(local)")
            }
            #expect(planned == planned.sorted { ($0.sendAt, $0.channel) < ($1.sendAt, $1.channel) })
        }
    }
}
