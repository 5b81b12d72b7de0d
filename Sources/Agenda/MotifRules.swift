import Foundation

/// Where an appointment of a motif takes place.
public enum LocationType: String, Sendable, CaseIterable {
    case onSite = "on_site", phone, home, video

    public var frenchName: String {
        switch self {
        case .onSite: "Sur place"
        case .phone: "Par téléphone"
        case .home: "À domicile"
        case .video: "En visioconférence"
        }
    }
}

/// Who may book a motif.
public enum BookableBy: String, Sendable, CaseIterable {
    case agents, invited, everyone

    public var frenchName: String {
        switch self {
        case .agents: "Les agents seulement"
        case .invited: "Les agents et les usagers invités"
        case .everyone: "Tout le monde, en ligne"
        }
    }
}

/// What happens to an appointment nobody confirmed by the deadline.
public enum UnconfirmedAction: String, Sendable, CaseIterable {
    /// Shown as "non confirmé" to the agents, nothing more.
    case flag
    /// One last request to the person, and the flag.
    case remind
    /// A warning to the person, then the slot goes to the waiting list (where the département
    /// allows it; otherwise a last request, as for `remind`).
    case release

    public var frenchName: String {
        switch self {
        case .flag: "Le signaler « non confirmé » dans l’agenda"
        case .remind: "Envoyer une dernière demande et le signaler"
        case .release: "Prévenir la personne puis libérer le créneau pour la liste d’attente"
        }
    }
}

/// A motif's request for confirmation: when it leaves, when the answer is due, and what then.
public struct ConfirmationRule: Sendable, Hashable {
    /// Hours before the appointment when the request leaves (at booking when it is sooner).
    public var requestHours: Int
    /// Hours before the appointment by which an answer is expected.
    public var deadlineHours: Int
    public var unconfirmedAction: UnconfirmedAction
    /// A sensitive motif's appointments may be released too (never otherwise).
    public var releaseSensitive: Bool

    public init(requestHours: Int = 72, deadlineHours: Int = 24, unconfirmedAction: UnconfirmedAction = .flag, releaseSensitive: Bool = false) {
        self.requestHours = requestHours
        self.deadlineHours = deadlineHours
        self.unconfirmedAction = unconfirmedAction
        self.releaseSensitive = releaseSensitive
    }

    /// When the request leaves for an appointment at `start` booked or moved at `now`: its lead
    /// time, or at once when that has passed; nil once the deadline has passed (too late to
    /// ask: the person just chose this time).
    public func requestTime(start: Date, now: Date) -> Date? {
        let deadline = self.deadline(start: start)
        guard now < deadline else { return nil }
        return max(now, start.addingTimeInterval(-Double(requestHours) * 3600))
    }

    /// The instant by which the answer is expected.
    public func deadline(start: Date) -> Date {
        start.addingTimeInterval(-Double(deadlineHours) * 3600)
    }

    var problems: [String] {
        var problems: [String] = []
        if !(2...720).contains(requestHours) { problems.append("La demande de confirmation part de 2 à 720 heures avant le rendez-vous.") }
        if !(1...719).contains(deadlineHours) { problems.append("La réponse est attendue de 1 à 719 heures avant le rendez-vous.") }
        if requestHours <= deadlineHours { problems.append("La demande de confirmation doit partir avant l’heure limite de réponse.") }
        return problems
    }
}

/// Every rule of a motif, as its set-up page edits them.
public struct MotifRules: Sendable, Hashable {
    public var name: String
    public var serviceID: UUID
    public var color: String
    public var durationMinutes: Int
    public var locationType: LocationType
    public var videoLinkTemplate: String
    public var minimumDelayMinutes: Int
    public var maximumDelayMinutes: Int
    public var bookableBy: BookableBy
    /// Capacity of a collective session; nil for individual appointments.
    public var collectiveCapacity: Int?
    public var cancellableByUsager: Bool
    public var cancellationDeadlineMinutes: Int
    public var movableByUsager: Bool
    public var moveDeadlineMinutes: Int
    /// Only the usager's referent agents receive them.
    public var followUpOnly: Bool
    public var instructionsBefore: String
    public var instructionsAfter: String
    /// Hidden from relatives, no content in notifications.
    public var sensitive: Bool
    /// A usager may hold several coming appointments of this motif (otherwise one at a time).
    public var severalUpcomingAllowed: Bool
    /// The person is asked to confirm; nil for no request.
    public var confirmation: ConfirmationRule?

    public init(name: String, serviceID: UUID, durationMinutes: Int) {
        self.name = name
        self.serviceID = serviceID
        self.color = "#000091"
        self.durationMinutes = durationMinutes
        self.locationType = .onSite
        self.videoLinkTemplate = ""
        self.minimumDelayMinutes = 30
        self.maximumDelayMinutes = 90 * 24 * 60
        self.bookableBy = .agents
        self.collectiveCapacity = nil
        self.cancellableByUsager = true
        self.cancellationDeadlineMinutes = 4 * 60
        self.movableByUsager = true
        self.moveDeadlineMinutes = 48 * 60
        self.followUpOnly = false
        self.instructionsBefore = ""
        self.instructionsAfter = ""
        self.sensitive = false
        self.severalUpcomingAllowed = false
        self.confirmation = nil
    }

    /// What is wrong with these rules, in French; empty when they hold together.
    public var problems: [String] {
        var problems: [String] = []
        if !(1...200).contains(name.storedLength) { problems.append("Le nom du motif compte de 1 à 200 caractères.") }
        if !(5...480).contains(durationMinutes) { problems.append("La durée va de 5 à 480 minutes.") }
        if color.range(of: "^#[0-9a-f]{6}$", options: .regularExpression) == nil { problems.append("La couleur s’écrit #rrggbb.") }
        if let capacity = collectiveCapacity, !(2...500).contains(capacity) { problems.append("Une séance collective compte de 2 à 500 places.") }
        if !(0...(720 * 60)).contains(minimumDelayMinutes) { problems.append("Le délai minimum va de 0 à 720 heures.") }
        if !(1440...(730 * 1440)).contains(maximumDelayMinutes) { problems.append("Le délai maximum va de 1 à 730 jours.") }
        if minimumDelayMinutes >= maximumDelayMinutes { problems.append("Le délai maximum doit dépasser le délai minimum.") }
        if !(0...(30 * 1440)).contains(cancellationDeadlineMinutes) || !(0...(30 * 1440)).contains(moveDeadlineMinutes) {
            problems.append("Les délais d’annulation et de déplacement vont de 0 à 720 heures.")
        }
        if locationType == .video {
            if videoLinkTemplate.isEmpty { problems.append("Un motif en visioconférence demande l’adresse du salon.") }
        }
        if !videoLinkTemplate.isEmpty, !videoLinkTemplate.hasPrefix("https://") || videoLinkTemplate.contains(where: \.isWhitespace) {
            problems.append("L’adresse du salon commence par https:// et ne contient pas d’espace.")
        }
        if instructionsBefore.storedLength > 2000 || instructionsAfter.storedLength > 2000 { problems.append("Les consignes comptent au plus 2 000 caractères.") }
        if let confirmation {
            problems += confirmation.problems
            if collectiveCapacity != nil { problems.append("Une séance collective ne demande pas de confirmation à chaque participant.") }
        }
        return problems
    }

    /// The room link of one appointment: `{code}` in the template becomes a code of that appointment.
    public func videoLink(for rdvID: UUID) -> String? {
        guard locationType == .video, !videoLinkTemplate.isEmpty else { return nil }
        let code = rdvID.uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return videoLinkTemplate.replacingOccurrences(of: "{code}", with: String(code))
    }
}
