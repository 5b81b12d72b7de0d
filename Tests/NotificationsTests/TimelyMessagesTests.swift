import Agenda
import Foundation
import Logging
import Notifications
import Synchronization
import Testing
import TestSupport
import Transports
@testable import Tenancy

/// Messages that never mislead: nothing about an appointment leaves once it has begun, or with
/// a time it no longer has, however long a worker held it (RDV-Solidarités #4351).
@Suite struct TimelyMessagesTests {
    /// Every email handed to it, and an action to run on the first one.
    final class RecordingTransport: MessageTransport, Sendable {
        let sent = Mutex<[OutgoingMessage]>([])
        let onFirst: @Sendable () async -> Void

        init(onFirst: @escaping @Sendable () async -> Void = {}) {
            self.onFirst = onFirst
        }

        func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
            let first = sent.withLock { $0.append(message); return $0.count == 1 }
            if first { await onFirst() }
            return .sent(providerReference: nil)
        }
    }

    func worker(_ world: TestWorld, email: any MessageTransport, clock: @escaping @Sendable () -> Date = { Date() }) -> NotificationWorker {
        NotificationWorker(
            database: world.database,
            configuration: DeliveryConfiguration(email: email, smsTransport: SMSProviders.factory(), secret: TestWorld.secretKey, sandboxAllowed: true),
            logger: Logger(label: "rdv.tests.worker"), clock: clock
        )
    }

    /// The reminders are claimed ten minutes before the appointment; the worker is then held
    /// back (a provider's outage, a slow batch) until a minute after it began: none leaves.
    @Test func aReminderHeldPastTheStartOfItsAppointmentNeverLeaves() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, daysAhead: 2)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                try await connection.query("DELETE FROM messages")
                for channel in ["email", "sms"] {
                    try await connection.query(
                        """
                        INSERT INTO messages (channel, kind, recipient, subject, body, rdv_id, not_before, next_attempt_at, expires_at)
                        VALUES (\(channel), 'reminder', \(channel == "email" ? "lea@exemple.fr" : "+33612345678"), 'Rappel', 'Rappel',
                                \(fixture.rdvID), \(fixture.start.addingTimeInterval(-3600)), \(fixture.start.addingTimeInterval(-3600)), \(fixture.start))
                        """
                    )
                }
            }
            let reads = Mutex(0)
            let start = fixture.start
            let clock: @Sendable () -> Date = {
                reads.withLock { $0 += 1; return $0 == 1 ? start.addingTimeInterval(-600) : start.addingTimeInterval(60) }
            }
            let email = RecordingTransport()
            try await worker(world, email: email, clock: clock).deliverDue(in: fixture.tenant)
            #expect(email.sent.withLock { $0.isEmpty }, "no reminder email left")
            let rows = try await world.database.tenant(fixture.tenant).transaction { connection in
                var rows: [String] = []
                for try await (channel, state, outcomes) in try await connection.query(
                    """
                    SELECT m.channel, m.state, (SELECT string_agg(outcome, ',') FROM message_attempts a WHERE a.message_id = m.id)
                    FROM messages m ORDER BY m.channel
                    """
                ).decode((String, String, String?).self) { rows.append("\(channel) \(state) \(outcomes ?? "")") }
                return rows
            }
            #expect(rows == ["email dead expired", "sms dead expired"], "given up as too old, not sent: \(rows)")
        }
    }

    /// The appointment is moved while a worker holds its confirmation SMS (it is busy with the
    /// email before it): the SMS with the old time is dropped, the change with the new time goes.
    @Test func aMessageOfAnAppointmentMovedWhileItWasHeldIsDropped() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, daysAhead: 6)
            let later = fixture.start.addingTimeInterval(86_400)
            try await world.database.tenant(fixture.tenant).transaction { connection in
                try await connection.query("UPDATE messages SET next_attempt_at = next_attempt_at - interval '1 minute' WHERE channel = 'email'")
            }
            let email = RecordingTransport {
                _ = try? await world.database.tenant(fixture.tenant).transaction { connection in
                    try await RdvRepository(connection).move(fixture.rdvID, to: later, byAgent: nil)
                    try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.moved, rdvID: fixture.rdvID, byUsager: false)
                }
            }
            let worker = worker(world, email: email)
            try await worker.deliverDue(in: fixture.tenant)
            var messages = try await fixture.messages(world)
            #expect(messages.first { $0.kind == "confirmation" && $0.channel == "sms" }?.state == "cancelled", "the held SMS with the old time stayed")
            try await worker.deliverDue(in: fixture.tenant)
            messages = try await fixture.messages(world)
            let change = try #require(messages.first { $0.kind == "change" && $0.channel == "sms" })
            #expect(change.state == "sent" && change.body.contains(FrenchDates.short(later, fixture.clock)))
            #expect(!messages.contains { $0.state == "sent" && $0.channel == "sms" && $0.body.contains(FrenchDates.short(fixture.start, fixture.clock)) })
        }
    }
}
