/// What a request's host names.
public enum Site: Sendable, Equatable {
    /// The bare base domain: the consortium's landing page.
    case landing
    /// `www.` in front of the base domain; answered with a redirect to the bare domain.
    case wwwAlias
    /// The consortium operators' console (`console.`).
    case console
    /// The steering committee's statistics (`stats.`).
    case stats
    /// A reserved name with nothing behind it yet (`api.`…).
    case reserved(String)
    case tenant(Tenant)
    case unknown
}

/// Turns a `Host` header into a `Site`, against a snapshot of the registry.
public struct HostResolver: Sendable {
    public let baseDomain: String
    public let tenants: [Tenant]
    private let byHost: [String: Tenant]

    public init(baseDomain: String, tenants: [Tenant]) {
        self.baseDomain = Self.normalize(baseDomain)
        self.tenants = tenants
        var byHost: [String: Tenant] = [:]
        for tenant in tenants {
            byHost[tenant.slug + "." + self.baseDomain] = tenant
            for domain in tenant.customDomains { byHost[Self.normalize(domain)] = tenant }
        }
        self.byHost = byHost
    }

    public func resolve(host rawHost: String) -> Site {
        let host = Self.normalize(rawHost)
        if host == baseDomain { return .landing }
        if let tenant = byHost[host] { return .tenant(tenant) }
        let suffix = "." + baseDomain
        guard host.hasSuffix(suffix) else { return .unknown }
        let label = String(host.dropLast(suffix.count))
        switch label {
        case "www": return .wwwAlias
        case "console": return .console
        case "stats": return .stats
        case _ where TenantSlug.reserved.contains(label): return .reserved(label)
        default: return .unknown
        }
    }

    /// Lower-case host without port or trailing dot; `[::1]:8080` keeps its brackets.
    static func normalize(_ host: String) -> String {
        var value = host.trimmingWhitespace().lowercased()
        if value.hasPrefix("[") {
            if let close = value.firstIndex(of: "]") { value = String(value[...close]) }
        } else if let colon = value.lastIndex(of: ":") {
            value = String(value[..<colon])
        }
        while value.hasSuffix(".") { value.removeLast() }
        return value
    }
}
