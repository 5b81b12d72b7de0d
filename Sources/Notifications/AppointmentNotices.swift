import Agenda
import Foundation
import Identity
import PostgresNIO
import Scheduling
import Tenancy

/// Where messages point to: the département's public address and its manage links.
public struct NoticeLinks: Sendable {
    let secret: Data
    public let publicURL: String
    let scope: String

    public init(secret: Data, publicURL: String, scope: String) {
        self.secret = secret
        self.publicURL = publicURL
        self.scope = scope
    }

    /// The link that opens one appointment without a password, valid until a day after it.
    public func manage(rdvID: UUID, end: Date) -> String {
        let token = SignedLink(secret: secret, scope: scope).token(for: .init(rdvID: rdvID, expiresAt: end.addingTimeInterval(86_400)))
        return "\(publicURL)/g/\(token)"
    }
}

/// The messages an appointment's life sends, written in the transaction of the change itself
/// (so that they are never lost nor sent for a change that was rolled back): confirmation,
/// change, cancellation, reminders, and notices to its agents when the usager acted online.
/// A sensitive motif's messages say nothing beyond the date and time.
public struct AppointmentNotices: Sendable {
    let connection: TenantConnection
    let tenant: Tenant
    let links: NoticeLinks

    public init(_ connection: TenantConnection, tenant: Tenant, links: NoticeLinks) {
        self.connection = connection
        self.tenant = tenant
        self.links = links
    }

    /// The messages to the person that name the appointment's time.
    static let personalKinds = ["confirmation", "change", "reminder", "confirmation_request"]

    public enum Event: Sendable {
        case booked, moved, cancelled
    }

    /// - Parameter actingAgentID: the agent who made the change, who needs no email about it; the
    ///   appointment's other agents get one (when they want it), as they do for a usager's change.
    public func record(_ event: Event, rdvID: UUID, byUsager: Bool, actingAgentID: UUID? = nil, now: Date = Date()) async throws {
        guard let facts = try await AppointmentFacts.load(rdvID, connection), let clock = WallClock(timeZone: tenant.timeZone) else { return }
        let settings = try await NotificationSettings.load(connection)
        let link = links.manage(rdvID: rdvID, end: facts.end)
        let when = FrenchDates.when(facts.start, clock), short = FrenchDates.short(facts.start, clock)
        let sender = settings.senderName.isEmpty ? tenant.name : settings.senderName
        let expires = min(facts.start, now.addingTimeInterval(2 * 86_400))
        // What the person has not received yet about this appointment would now tell an old time
        // or an appointment that is off: dropped (reminders are planned again for the new time),
        // including a message a worker holds, which it looks at again before sending.
        try await connection.query(
            """
            UPDATE messages SET state = 'cancelled', locked_until = NULL
            WHERE rdv_id = \(rdvID) AND kind = ANY(\(Self.personalKinds)) AND state IN ('queued', 'sending')
            """
        )
        let sequence = try await AppointmentSequences(connection).of(rdvID)
        var lines: [String] = []
        let subject: String, sms: String, kind: String, method: String
        switch event {
        case .booked:
            kind = "confirmation"; method = "REQUEST"
            subject = "Rendez-vous confirmé le \(when)"
            lines = ["Bonjour,", "", "\(facts.what) est confirmé le \(when)."]
            sms = "\(sender) : RDV confirmé \(short). Annuler ou déplacer : \(link)"
        case .moved:
            kind = "change"; method = "REQUEST"
            subject = "Rendez-vous déplacé au \(when)"
            lines = ["Bonjour,", "", "\(facts.what) est déplacé au \(when)."]
            sms = "\(sender) : RDV déplacé au \(short). Gérer : \(link)"
        case .cancelled:
            kind = "cancellation"; method = "CANCEL"
            subject = "Rendez-vous du \(when) annulé"
            lines = byUsager
                ? ["Bonjour,", "", "\(facts.what) du \(when) est annulé, comme vous l’avez demandé. Le créneau est rendu à d’autres personnes."]
                : ["Bonjour,", "", "\(facts.what) du \(when) est annulé par le service. Veuillez nous excuser."]
            lines += ["", "Pour reprendre rendez-vous : \(links.publicURL)/prendre-rdv"]
            sms = "\(sender) : votre RDV du \(short) est annulé\(byUsager ? "" : " par le service"). Reprendre RDV : \(links.publicURL)/prendre-rdv"
        }
        if event != .cancelled {
            if let place = facts.place { lines.append("Lieu : \(place)") }
            if let video = facts.rules.videoLink(for: rdvID) { lines.append("Visioconférence : \(video)") }
            if !facts.rules.sensitive, !facts.rules.instructionsAfter.isEmpty { lines += ["", facts.rules.instructionsAfter] }
            lines += ["", "Pour l’annuler ou le déplacer : \(link)", "Un empêchement ? Annulez au plus tôt : le créneau servira à quelqu’un d’autre."]
        }
        let calendar = invitation(facts, sequence: sequence, clock: clock).ics(method: method == "CANCEL" ? .cancel : .request, now: now)
        if let email = facts.email, facts.byEmail {
            try await enqueue(.email, kind: kind, to: email, subject: subject, body: lines.joined(separator: "\n"), calendar: calendar, method: method, rdvID: rdvID, expires: expires)
        }
        if let phone = smsNumber(facts, settings) {
            try await enqueue(.sms, kind: kind, to: phone, subject: "", body: SMSText.plain(sms), rdvID: rdvID, expires: expires)
        }
        if byUsager || actingAgentID != nil {
            for agent in facts.agents where agent.id != actingAgentID {
                let notice = switch (event, byUsager) {
                case (.booked, true): "Nouveau rendez-vous pris en ligne le \(when)."
                case (.moved, true): "Un rendez-vous a été déplacé en ligne au \(when)."
                case (.cancelled, true): "Le rendez-vous du \(when) a été annulé par l’usager : le créneau est de nouveau libre."
                case (.booked, false): "Un collègue vous a donné un rendez-vous le \(when)."
                case (.moved, false): "Un collègue a déplacé un de vos rendez-vous au \(when)."
                case (.cancelled, false): "Un collègue a annulé votre rendez-vous du \(when)."
                }
                try await enqueue(
                    .email, kind: "agent_notice", to: agent.email, subject: notice,
                    body: "\(notice)\n\nDétails (connexion requise) : \(links.publicURL)/rdv/\(rdvID)",
                    calendar: calendar, method: method, rdvID: rdvID, expires: expires
                )
            }
        }
        if event != .cancelled { try await planReminders(facts, settings: settings, link: link, sender: sender, now: now, clock: clock) }
    }

    /// The appointment's reminders as queued messages, each held until its time.
    func planReminders(_ facts: AppointmentFacts, settings: NotificationSettings, link: String, sender: String, now: Date, clock: WallClock) async throws {
        let policy = facts.reminderOverride.flatMap { try? JSONDecoder().decode(ReminderPolicy.self, from: Data($0.utf8)) } ?? settings.reminderPolicy
        let when = FrenchDates.when(facts.start, clock), short = FrenchDates.short(facts.start, clock)
        for reminder in ReminderPlanner.plan(start: facts.start, bookedAt: now, policy: policy, clock: clock) {
            switch reminder.channel {
            case .email:
                guard let email = facts.email, facts.byEmail else { continue }
                var lines = ["Bonjour,", "", "Rappel : \(facts.what.prefix(1).lowercased() + facts.what.dropFirst()) a lieu le \(when)."]
                if let place = facts.place { lines.append("Lieu : \(place)") }
                if !facts.rules.sensitive, !facts.rules.instructionsAfter.isEmpty { lines += ["", facts.rules.instructionsAfter] }
                lines += ["", "Un empêchement ? Annulez ou déplacez-le en un clic : \(link)"]
                try await enqueue(.email, kind: "reminder", to: email, subject: "Rappel : rendez-vous le \(when)", body: lines.joined(separator: "\n"),
                                  rdvID: facts.rdvID, notBefore: reminder.sendAt, expires: facts.start)
            case .sms:
                guard let phone = smsNumber(facts, settings) else { continue }
                // The place is in the confirmation: an SMS keeps to one segment where it can.
                let text = "\(sender) : rappel, RDV le \(short). Empêché ? Annulez : \(link)"
                try await enqueue(.sms, kind: "reminder", to: phone, subject: "", body: SMSText.plain(text), rdvID: facts.rdvID, notBefore: reminder.sendAt, expires: facts.start)
            }
        }
    }

    /// The number to text, when SMS are on for the département and for the person, and it is a mobile.
    func smsNumber(_ facts: AppointmentFacts, _ settings: NotificationSettings) -> String? {
        guard settings.smsEnabled, facts.bySMS, let phone = facts.phone, let number = PhoneNumber(phone), number.isMobile else { return nil }
        return number.e164
    }

    func invitation(_ facts: AppointmentFacts, sequence: Int, clock: WallClock) -> CalendarEvent {
        CalendarEvent(
            uid: CalendarEvent.appointmentUID(facts.rdvID, tenantSlug: tenant.slug), sequence: sequence, start: facts.start, end: facts.end,
            summary: facts.rules.sensitive ? "Rendez-vous – \(tenant.name)" : "\(facts.motifName) – \(tenant.name)",
            location: facts.place ?? "", description: facts.rules.sensitive ? "" : facts.rules.instructionsAfter
        )
    }

    func enqueue(
        _ channel: MessageChannel, kind: String, to recipient: String, subject: String, body: String, calendar: String? = nil, method: String? = nil,
        rdvID: UUID, notBefore: Date? = nil, expires: Date
    ) async throws {
        try await MessageQueue(connection).enqueue(
            channel, kind: kind, to: recipient, subject: subject, body: body, calendar: calendar.map { ($0, method ?? "REQUEST") },
            rdvID: rdvID, notBefore: notBefore, expires: expires
        )
    }
}
