import Foundation

/// A département of the consortium, as the registry in schema `shared` knows it.
public struct Tenant: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Being opened from the console: its hosts say so, nothing is served yet.
        case provisioning
        case active
        /// Its hosts answer 503, its sessions are over, its messages wait.
        case suspended
        /// Has announced it leaves the consortium; still served until it goes.
        case leaving

        /// Whether its hosts serve pages and its messages go out.
        public var isServed: Bool { self == .active || self == .leaving }

        public var frenchName: String {
            switch self {
            case .provisioning: "en cours d’ouverture"
            case .active: "ouvert"
            case .suspended: "suspendu"
            case .leaving: "sur le départ"
            }
        }
    }

    public let id: Int
    public let slug: String
    public let name: String
    public let code: DepartementCode
    public let timeZone: String
    public let status: Status
    public let customDomains: [String]
    /// Sessions opened before this instant are over (the département was suspended then).
    public let sessionsValidAfter: Date?

    public init(
        id: Int, slug: String, name: String, code: DepartementCode,
        timeZone: String, status: Status, customDomains: [String], sessionsValidAfter: Date? = nil
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.code = code
        self.timeZone = timeZone
        self.status = status
        self.customDomains = customDomains
        self.sessionsValidAfter = sessionsValidAfter
    }

    public var schemaName: String { code.schemaName }
}
