/// What an endpoint may subscribe to: the records whose changes are sent, named as
/// RDV-Solidarités' receivers know them.
public enum WebhookModel: String, Sendable, CaseIterable, Codable, Hashable {
    case rdv, participant, usager, absence, plage, motif, lieu, agent

    /// How the pages name it.
    public var french: String {
        switch self {
        case .rdv: "Rendez-vous"
        case .participant: "Participants"
        case .usager: "Usagers"
        case .absence: "Absences"
        case .plage: "Plages d’ouverture"
        case .motif: "Motifs"
        case .lieu: "Lieux"
        case .agent: "Agents"
        }
    }
}

/// What happened to the record.
public enum WebhookEvent: String, Sendable, CaseIterable, Codable, Hashable {
    case created, updated, destroyed
}
