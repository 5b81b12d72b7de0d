/// What a `Tenants/*.toml` file declares about a département.
public struct TenantDefinition: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var code: DepartementCode
    public var timeZone: String
    public var contactEmail: String?
    public var customDomains: [String]
    public var membership: Membership

    public init(
        slug: String, name: String, code: DepartementCode, timeZone: String? = nil,
        contactEmail: String? = nil, customDomains: [String] = [], membership: Membership = Membership()
    ) {
        self.slug = slug
        self.name = name
        self.code = code
        self.timeZone = timeZone ?? code.defaultTimeZone
        self.contactEmail = contactEmail
        self.customDomains = customDomains
        self.membership = membership
    }
}

/// Consortium membership of a département: what its convention says.
public struct Membership: Sendable, Equatable {
    public var population: Int?
    /// ISO dates, `YYYY-MM-DD`.
    public var conventionStart: String?
    public var conventionEnd: String?
    public var contributionCents: Int?

    public init(population: Int? = nil, conventionStart: String? = nil, conventionEnd: String? = nil, contributionCents: Int? = nil) {
        self.population = population
        self.conventionStart = conventionStart
        self.conventionEnd = conventionEnd
        self.contributionCents = contributionCents
    }
}
