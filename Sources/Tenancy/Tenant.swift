import Foundation

/// A département of the consortium, as the registry in schema `shared` knows it.
public struct Tenant: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Codable {
        case active
        case suspended
    }

    public let id: Int
    public let slug: String
    public let name: String
    public let code: DepartementCode
    public let timeZone: String
    public let status: Status
    public let customDomains: [String]

    public init(
        id: Int, slug: String, name: String, code: DepartementCode,
        timeZone: String, status: Status, customDomains: [String]
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.code = code
        self.timeZone = timeZone
        self.status = status
        self.customDomains = customDomains
    }

    public var schemaName: String { code.schemaName }
}
