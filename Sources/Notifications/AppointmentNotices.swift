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

    /// The one-click "Je confirme" link of a confirmation request, valid until the appointment.
    public func confirm(rdvID: UUID, start: Date) -> String {
        "\(publicURL)/oui/\(Self.answer(.confirm, secret: secret, scope: scope).token(for: .init(rdvID: rdvID, expiresAt: start)))"
    }

    /// The one-click "Je ne pourrai pas venir" link, valid until the appointment.
    public func decline(rdvID: UUID, start: Date) -> String {
        "\(publicURL)/non/\(Self.answer(.decline, secret: secret, scope: scope).token(for: .init(rdvID: rdvID, expiresAt: start)))"
    }

    public enum Answer: String, Sendable {
        case confirm = "oui", decline = "non"
    }

    /// The signer of one answer's links: a key of its own, so that a manage link (or the other
    /// answer's link) never passes for it.
    public static func answer(_ answer: Answer, secret: Data, scope: String) -> SignedLink {
        SignedLink(secret: secret, scope: "confirmation-\(answer.rawValue)|\(scope)")
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
        /// `released`: cancelled because nobody confirmed it after the warning.
        case booked, moved, cancelled, released
    }

    /// Which confirmation request: the first, the last one after the deadline, or the warning
    /// that the slot goes at `releaseAt` without an answer.
    public enum ConfirmationRequest: Sendable, Equatable {
        case first, last, warning(releaseAt: Date)
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
        case .released:
            kind = "cancellation"; method = "CANCEL"
            subject = "Rendez-vous du \(when) libéré faute de confirmation"
            lines = [
                "Bonjour,", "", "Sans confirmation de votre part, \(facts.what.prefix(1).lowercased() + facts.what.dropFirst()) du \(when) est annulé : le créneau est proposé à une autre personne.",
                "", "Pour reprendre rendez-vous : \(links.publicURL)/prendre-rdv",
            ]
            sms = "\(sender) : sans confirmation, votre RDV du \(short) est annulé. Reprendre RDV : \(links.publicURL)/prendre-rdv"
        }
        if event == .booked || event == .moved {
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
        if event != .released, byUsager || actingAgentID != nil {
            for agent in facts.agents where agent.id != actingAgentID {
                let notice = switch (event, byUsager) {
                case (.booked, true): "Nouveau rendez-vous pris en ligne le \(when)."
                case (.moved, true): "Un rendez-vous a été déplacé en ligne au \(when)."
                case (.cancelled, true): "Le rendez-vous du \(when) a été annulé par l’usager : le créneau est de nouveau libre."
                case (.booked, false): "Un collègue vous a donné un rendez-vous le \(when)."
                case (.moved, false): "Un collègue a déplacé un de vos rendez-vous au \(when)."
                case (.cancelled, false): "Un collègue a annulé votre rendez-vous du \(when)."
                case (.released, _): "Le rendez-vous du \(when) est libéré faute de confirmation."
                }
                try await enqueue(
                    .email, kind: "agent_notice", to: agent.email, subject: notice,
                    body: "\(notice)\n\nDétails (connexion requise) : \(links.publicURL)/rdv/\(rdvID)",
                    calendar: calendar, method: method, rdvID: rdvID, expires: expires
                )
            }
        }
        if event == .booked || event == .moved {
            try await planReminders(facts, settings: settings, link: link, sender: sender, now: now, clock: clock)
            try await planConfirmation(facts, settings: settings, sender: sender, now: now, clock: clock)
        }
    }

    /// The motif's confirmation request, held until its time; the appointment then awaits an
    /// answer. Nothing is asked (and the appointment shows no confirmation state) when the
    /// deadline has passed or the person cannot be reached.
    func planConfirmation(_ facts: AppointmentFacts, settings: NotificationSettings, sender: String, now: Date, clock: WallClock) async throws {
        var state: String?
        if let rule = facts.rules.confirmation, let at = rule.requestTime(start: facts.start, now: now),
           try await requestConfirmation(facts, .first, settings: settings, sender: sender, at: at, clock: clock) {
            state = "awaiting"
        }
        try await connection.query("UPDATE rdvs SET confirmation = \(state), confirmation_changed_at = \(now) WHERE id = \(facts.rdvID)")
    }

    /// Sends a later confirmation request (the last one, or the warning before a release) now;
    /// false when the person has no channel left to receive it.
    public func requestConfirmation(_ request: ConfirmationRequest, rdvID: UUID, now: Date) async throws -> Bool {
        guard let facts = try await AppointmentFacts.load(rdvID, connection), let clock = WallClock(timeZone: tenant.timeZone) else { return false }
        let settings = try await NotificationSettings.load(connection)
        let sender = settings.senderName.isEmpty ? tenant.name : settings.senderName
        return try await requestConfirmation(facts, request, settings: settings, sender: sender, at: now, clock: clock)
    }

    func requestConfirmation(
        _ facts: AppointmentFacts, _ request: ConfirmationRequest, settings: NotificationSettings, sender: String, at: Date, clock: WallClock
    ) async throws -> Bool {
        let yes = links.confirm(rdvID: facts.rdvID, start: facts.start), no = links.decline(rdvID: facts.rdvID, start: facts.start)
        let when = FrenchDates.when(facts.start, clock), short = FrenchDates.short(facts.start, clock)
        let subject: String, opening: String, sms: String
        switch request {
        case .first:
            subject = "Confirmez votre rendez-vous du \(when)"
            opening = "\(facts.what) a lieu le \(when). Viendrez-vous ? Un clic suffit pour répondre."
            sms = "\(sender) : RDV le \(short). Vous venez ? Oui : \(yes) Non : \(no)"
        case .last:
            subject = "Dernier rappel : confirmez votre rendez-vous du \(when)"
            opening = "Nous n’avons pas eu votre réponse : \(facts.what.prefix(1).lowercased() + facts.what.dropFirst()) a lieu le \(when). Viendrez-vous ?"
            sms = "\(sender) : sans réponse de votre part. RDV le \(short), vous venez ? Oui : \(yes) Non : \(no)"
        case .warning(let releaseAt):
            let limit = FrenchDates.when(releaseAt, clock)
            subject = "Sans réponse, votre rendez-vous du \(when) sera libéré"
            opening = "Nous n’avons pas eu votre réponse. Sans confirmation avant le \(limit), \(facts.what.prefix(1).lowercased() + facts.what.dropFirst()) du \(when) sera annulé et le créneau proposé à une autre personne."
            sms = "\(sender) : sans réponse avant \(FrenchDates.short(releaseAt, clock)), votre RDV du \(short) sera libéré. Je viens : \(yes) Non : \(no)"
        }
        var lines = ["Bonjour,", "", opening]
        if let place = facts.place { lines.append("Lieu : \(place)") }
        lines += [
            "", "Je confirme : \(yes)", "Je ne pourrai pas venir : \(no)", "",
            "Si vous ne pouvez pas venir, dites-le : le créneau servira à quelqu’un d’autre.",
        ]
        var sent = false
        if let email = facts.email, facts.byEmail {
            try await enqueue(.email, kind: "confirmation_request", to: email, subject: subject, body: lines.joined(separator: "\n"),
                              rdvID: facts.rdvID, notBefore: at, expires: facts.start)
            sent = true
        }
        // No SMS at night: the nearest allowed time before the appointment.
        if let phone = smsNumber(facts, settings),
           let smsAt = ReminderPlanner.allowedForSMS(at, before: facts.start, after: at.addingTimeInterval(-1), clock: clock) {
            try await enqueue(.sms, kind: "confirmation_request", to: phone, subject: "", body: SMSText.plain(sms), rdvID: facts.rdvID, notBefore: smsAt, expires: facts.start)
            sent = true
        }
        return sent
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
