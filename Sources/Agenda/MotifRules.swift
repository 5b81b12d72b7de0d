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
        return problems
    }

    /// The room link of one appointment: `{code}` in the template becomes a code of that appointment.
    public func videoLink(for rdvID: UUID) -> String? {
        guard locationType == .video, !videoLinkTemplate.isEmpty else { return nil }
        let code = rdvID.uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return videoLinkTemplate.replacingOccurrences(of: "{code}", with: String(code))
    }
}
