import Foundation

/// How far a motif's online booking follows sectorisation (column `motifs.sectorisation_level`).
public enum SectorisationLevel: String, Sendable, CaseIterable {
    /// Every usager of the département may book it, wherever they live.
    case departement
    /// Only usagers of a sector attributed to the motif's organisation.
    case organisation
    /// Only usagers of a sector attributed to the agent who receives them.
    case agent

    public var frenchName: String {
        switch self {
        case .departement: "Tout le département"
        case .organisation: "Les usagers des secteurs de l’organisation"
        case .agent: "Les usagers des secteurs de l’agent"
        }
    }

    /// Whether a usager whose address resolved to `match` (nil: no sector) may book this motif of
    /// `organisationID` with `agentID`.
    public func admits(_ match: SectorMatch?, organisationID: UUID, agentID: UUID) -> Bool {
        switch self {
        case .departement: return true
        case .organisation: return match?.organisations.contains { $0.id == organisationID } ?? false
        case .agent: return match?.agents.contains { $0.id == agentID && $0.organisationID == organisationID } ?? false
        }
    }
}
