/// The state of an appointment, or of one participant in it.
public enum RdvStatus: String, Sendable, CaseIterable {
    /// Not yet known (the appointment is coming, or nobody has said how it went).
    case unknown
    case seen
    /// The usager did not come and did not warn: the case this platform exists to reduce.
    case noshow
    /// Cancelled by the usager.
    case excused
    /// Cancelled by the service.
    case revoked

    /// Whether the appointment still holds its agents' time.
    public var holdsTime: Bool { self != .excused && self != .revoked }

    public var frenchName: String {
        switch self {
        case .unknown: "À venir ou non renseigné"
        case .seen: "Vu"
        case .noshow: "Absent non excusé"
        case .excused: "Annulé par l’usager"
        case .revoked: "Annulé par le service"
        }
    }
}

/// Where a confirmation request stands for one appointment (column `rdvs.confirmation`).
public enum ConfirmationState: String, Sendable, CaseIterable {
    case awaiting, confirmed, declined, unanswered, warned, released

    /// How agents see it on the agenda and the day view.
    public var frenchName: String {
        switch self {
        case .awaiting: "Confirmation demandée"
        case .confirmed: "Confirmé"
        case .declined: "Annulé en réponse à la demande"
        case .unanswered: "Non confirmé"
        case .warned: "Non confirmé, bientôt libéré"
        case .released: "Libéré faute de confirmation"
        }
    }

    /// Whether agents should look at it: no answer by the deadline.
    public var needsAttention: Bool { self == .unanswered || self == .warned }
}
