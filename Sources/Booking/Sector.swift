import Foundation

/// A part of the département's territory, served by some organisations or agents.
public struct Sector: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let name: String
}

/// A sector as the list of sectors shows it: its zone count and who serves it.
public struct SectorSummary: Sendable, Hashable, Identifiable {
    public let sector: Sector
    public let zoneCount: Int
    public let attributions: [SectorAttribution]

    public var id: UUID { sector.id }
}

/// A commune, or one street of a commune, that belongs to a sector.
public struct SectorZone: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let sectorID: UUID
    public let communeCode: String
    public let communeName: String
    /// Nil when the zone covers the whole commune.
    public let streetName: String?
}

/// An organisation, or one agent of it, serving a sector.
public struct SectorAttribution: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let sectorID: UUID
    public let organisationID: UUID
    public let organisationName: String
    public let agentID: UUID?
    public let agentName: String?
}

/// A commune the département's zones know, for suggestions.
public struct CommuneSuggestion: Sendable, Hashable, Codable {
    public let code: String
    public let name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// The sector an address falls in, and who serves it.
public struct SectorMatch: Sendable, Hashable {
    /// Whether the address matched a zone of its street, or the zone of its whole commune.
    public enum Level: String, Sendable {
        case street
        case commune
    }

    public struct ServingOrganisation: Sendable, Hashable, Identifiable {
        public let id: UUID
        public let name: String
    }

    public struct ServingAgent: Sendable, Hashable, Identifiable {
        public let id: UUID
        public let name: String
        public let organisationID: UUID
        public let organisationName: String
    }

    public let sector: Sector
    public let level: Level
    /// Organisations the sector is attributed to as a whole.
    public let organisations: [ServingOrganisation]
    /// Agents the sector is attributed to (disabled agents left out).
    public let agents: [ServingAgent]

    public init(sector: Sector, level: Level, organisations: [ServingOrganisation], agents: [ServingAgent]) {
        self.sector = sector
        self.level = level
        self.organisations = organisations
        self.agents = agents
    }
}
