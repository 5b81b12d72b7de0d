import Agenda
import Foundation
import PostgresNIO
import Scheduling
import Tenancy

extension AppointmentNotices {
    /// A usager's phone or email was added or corrected: the reminders of their coming
    /// appointments (and of the relatives they answer for) are planned again for the new
    /// contacts, as is a confirmation request still awaited. Returns the appointments that now
    /// have a message on its way, in time order, for the page to say so.
    public func contactsChanged(usagerID: UUID, now: Date = Date()) async throws -> [(rdvID: UUID, start: Date)] {
        var coming: [(UUID, Date, String?)] = []
        for try await row in try await connection.query(
            """
            SELECT r.id, r.starts_at, r.confirmation FROM rdvs r
            JOIN LATERAL (SELECT usager_id FROM rdv_participants WHERE rdv_id = r.id ORDER BY created_at LIMIT 1) p ON true
            JOIN usagers u ON u.id = p.usager_id
            WHERE r.status = 'unknown' AND r.starts_at > \(now) AND r.capacity IS NULL
              AND (u.id = \(usagerID) OR (u.responsible_id = \(usagerID) AND u.email IS NULL AND u.phone IS NULL))
            ORDER BY r.starts_at
            """
        ).decode((UUID, Date, String?).self) { coming.append(row) }
        guard !coming.isEmpty, let clock = WallClock(timeZone: tenant.timeZone) else { return [] }
        let settings = try await NotificationSettings.load(connection)
        let sender = settings.senderName.isEmpty ? tenant.name : settings.senderName
        var notified: [(rdvID: UUID, start: Date)] = []
        for (rdvID, start, confirmation) in coming {
            guard let facts = try await AppointmentFacts.load(rdvID, connection) else { continue }
            let kinds = confirmation == nil || confirmation == "awaiting" ? ["reminder", "confirmation_request"] : ["reminder"]
            try await connection.query(
                "UPDATE messages SET state = 'cancelled', locked_until = NULL WHERE rdv_id = \(rdvID) AND kind = ANY(\(kinds)) AND state = 'queued'"
            )
            try await planReminders(facts, settings: settings, link: links.manage(rdvID: rdvID, end: facts.end), sender: sender, now: now, clock: clock)
            if kinds.contains("confirmation_request") { try await planConfirmation(facts, settings: settings, sender: sender, now: now, clock: clock) }
            var queued = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM messages WHERE rdv_id = \(rdvID) AND kind = ANY(\(kinds)) AND state = 'queued' LIMIT 1"
            ) { queued = true }
            if queued { notified.append((rdvID, start)) }
        }
        return notified
    }
}
