import Agenda
import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// What messages about one appointment say and to whom: read in the transaction that changes it.
struct AppointmentFacts: Sendable {
    let rdvID: UUID
    let start: Date
    let end: Date
    let motifName: String
    let rules: MotifRules
    let reminderOverride: String?
    let lieuName: String?
    let lieuAddress: String?
    let attendeeID: UUID
    let attendeeName: String
    /// The person told: the attendee, or their responsible when the attendee has no contact.
    let email: String?
    let phone: String?
    let byEmail: Bool
    let bySMS: Bool
    /// The appointment's agents who want to hear of changes: (id, email).
    let agents: [(id: UUID, email: String)]

    static func load(_ rdvID: UUID, _ connection: TenantConnection) async throws -> AppointmentFacts? {
        var base: (Date, Date, UUID, String, String?, String?, String?, UUID, String)?
        for try await row in try await connection.query(
            """
            SELECT r.starts_at, r.ends_at, r.motif_id, m.name, m.reminder_policy::text, l.name, l.address, u.id, u.first_name || ' ' || u.last_name
            FROM rdvs r JOIN motifs m ON m.id = r.motif_id LEFT JOIN lieux l ON l.id = r.lieu_id
            JOIN LATERAL (SELECT usager_id FROM rdv_participants WHERE rdv_id = r.id ORDER BY created_at LIMIT 1) p ON true
            JOIN usagers u ON u.id = p.usager_id
            WHERE r.id = \(rdvID)
            """
        ).decode((Date, Date, UUID, String, String?, String?, String?, UUID, String).self) { base = row }
        guard let (start, end, motifID, motifName, reminders, lieuName, lieuAddress, attendeeID, attendeeName) = base,
              let rules = try await MotifRepository(connection).find(motifID)?.rules
        else { return nil }
        var contact: (String?, String?, Bool, Bool) = (nil, nil, false, false)
        for try await row in try await connection.query(
            """
            SELECT coalesce(u.email, r.email), coalesce(u.phone, r.phone),
                   CASE WHEN u.email IS NOT NULL THEN u.notify_by_email ELSE coalesce(r.notify_by_email, true) END,
                   CASE WHEN u.phone IS NOT NULL THEN u.notify_by_sms ELSE coalesce(r.notify_by_sms, true) END
            FROM usagers u LEFT JOIN usagers r ON r.id = u.responsible_id WHERE u.id = \(attendeeID)
            """
        ).decode((String?, String?, Bool, Bool).self) { contact = row }
        var agents: [(id: UUID, email: String)] = []
        for try await agent in try await connection.query(
            "SELECT a.id, a.email FROM rdv_agents ra JOIN agents a ON a.id = ra.agent_id WHERE ra.rdv_id = \(rdvID) AND a.disabled_at IS NULL AND a.notify_online_changes"
        ).decode((UUID, String).self) { agents.append(agent) }
        return AppointmentFacts(
            rdvID: rdvID, start: start, end: end, motifName: motifName, rules: rules, reminderOverride: reminders,
            lieuName: lieuName, lieuAddress: lieuAddress, attendeeID: attendeeID, attendeeName: attendeeName,
            email: contact.0, phone: contact.1, byEmail: contact.2, bySMS: contact.3, agents: agents
        )
    }

    /// The place in one line, unless the motif is sensitive.
    var place: String? {
        guard !rules.sensitive, let lieuName else { return nil }
        return [lieuName, lieuAddress].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// The motif's name, or nothing for a sensitive one.
    var what: String { rules.sensitive ? "Votre rendez-vous" : "Votre rendez-vous « \(motifName) »" }
}
