import Agenda
import Foundation
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

@Suite struct AppointmentNoticesTests {
    @Test func bookingQueuesTheConfirmationAndHoldsTheRemindersUntilTheirTime() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world)
            let queued = try await fixture.messages(world)
            #expect(Set(queued.filter { $0.kind == "confirmation" }.map(\.channel)) == ["email", "sms"])
            let confirmation = try #require(queued.first { $0.kind == "confirmation" && $0.channel == "email" })
            #expect(confirmation.subject.hasPrefix("Rendez-vous confirmé le") && confirmation.body.contains("/g/") && confirmation.body.contains("carnet de santé"))
            #expect(confirmation.calendar?.contains("METHOD:REQUEST") == true && confirmation.calendar?.contains("SEQUENCE:0") == true)
            let sms = try #require(queued.first { $0.kind == "confirmation" && $0.channel == "sms" })
            #expect(sms.recipient == "+33612345678" && SMSText.count(sms.body).encoding == .gsm7, "plain GSM-7: \(sms.body)")
            #expect(SMSText.count(sms.body).segments == 1, "one segment: \(sms.body)")
            #expect(queued.filter { $0.channel == "sms" }.allSatisfy { SMSText.count($0.body).segments == 1 })
            let reminders = queued.filter { $0.kind == "reminder" }
            #expect(reminders.map(\.channel).sorted() == ["email", "sms", "sms"])
            #expect(reminders.allSatisfy { $0.notBefore > Date() && $0.notBefore < fixture.start })

            // A test clock: now, only the confirmations leave; 48 hours before, the first reminders.
            let worker = fixture.worker(world)
            #expect(try await worker.deliverDue(in: fixture.tenant, now: Date()) == 2)
            let first = try #require(reminders.map(\.notBefore).min())
            #expect(try await worker.deliverDue(in: fixture.tenant, now: first.addingTimeInterval(-60)) == 0, "not a minute early")
            #expect(try await worker.deliverDue(in: fixture.tenant, now: first) == 2)
            #expect(try await worker.deliverDue(in: fixture.tenant, now: fixture.start.addingTimeInterval(-7200)) == 1)
            let states = try await fixture.messages(world).map(\.state)
            #expect(states.allSatisfy { $0 == "sent" })
        }
    }

    @Test func movingReplansTheRemindersAndCancellingDropsThem() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, daysAhead: 6)
            let later = fixture.start.addingTimeInterval(86_400)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                try await RdvRepository(connection).move(fixture.rdvID, to: later, byAgent: nil)
                try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.moved, rdvID: fixture.rdvID, byUsager: true)
            }
            var messages = try await fixture.messages(world)
            let live = messages.filter { $0.kind == "reminder" && $0.state == "queued" }
            #expect(live.count == 3 && live.allSatisfy { $0.notBefore > fixture.start.addingTimeInterval(-86_400 * 2) })
            #expect(messages.filter { $0.kind == "reminder" && $0.state == "cancelled" }.count == 3)
            let change = try #require(messages.first { $0.kind == "change" && $0.channel == "email" })
            #expect(change.calendar?.contains("SEQUENCE:1") == true)
            #expect(messages.contains { $0.kind == "agent_notice" }, "the agent is told of an online change")
            // An agent who does not want these emails gets none.
            try await world.database.tenant(fixture.tenant).transaction { connection in
                try await connection.query("UPDATE agents SET notify_online_changes = false")
                try await RdvRepository(connection).move(fixture.rdvID, to: later.addingTimeInterval(3600), byAgent: nil)
                try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.moved, rdvID: fixture.rdvID, byUsager: true)
            }
            #expect(try await fixture.messages(world).filter { $0.kind == "agent_notice" }.count == 1)

            try await world.database.tenant(fixture.tenant).transaction { connection in
                try await RdvRepository(connection).setStatus(fixture.rdvID, to: .excused, byAgent: nil)
                try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.cancelled, rdvID: fixture.rdvID, byUsager: true)
            }
            messages = try await fixture.messages(world)
            #expect(!messages.contains { $0.kind == "reminder" && $0.state == "queued" })
            let cancellation = try #require(messages.first { $0.kind == "cancellation" && $0.channel == "email" })
            #expect(cancellation.calendar?.contains("METHOD:CANCEL") == true && cancellation.calendar?.contains("SEQUENCE:3") == true)
        }
    }

    @Test func sensitiveMotifsSayNothingBeyondDateAndTime() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, sensitive: true)
            let messages = try await fixture.messages(world)
            #expect(!messages.isEmpty)
            for message in messages {
                #expect(!message.body.contains("Consultation") && !message.body.contains("Centre d’Arras") && !message.body.contains("carnet"))
                #expect(!message.subject.contains("Consultation"))
                #expect(message.calendar.map { !$0.contains("Consultation") && !$0.contains("Arras") } ?? true)
            }
        }
    }

    @Test func aLandlineGetsNoSMS() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, phone: "01 23 45 67 89")
            #expect(try await fixture.messages(world).allSatisfy { $0.channel == "email" })
        }
    }

    @Test func aMotifsOwnRemindersReplaceTheDepartements() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, daysAhead: 6)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                let motif = try #require(try await connection.query("SELECT motif_id FROM rdvs").decode(UUID.self).first(where: { _ in true }))
                try await MotifReminderPolicy(connection).set(ReminderPolicy(reminders: [.init(minutes: 24 * 60, channels: [.email])]), of: motif)
                try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.moved, rdvID: fixture.rdvID, byUsager: false)
            }
            let reminders = try await fixture.messages(world).filter { $0.kind == "reminder" && $0.state == "queued" }
            #expect(reminders.map(\.channel) == ["email"] && reminders.first?.notBefore == fixture.start.addingTimeInterval(-86_400))
        }
    }
}
