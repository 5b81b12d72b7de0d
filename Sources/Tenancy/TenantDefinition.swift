/// What a `Tenants/*.toml` file declares about a département.
public struct TenantDefinition: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var code: DepartementCode
    public var timeZone: String
    public var contactEmail: String?
    public var customDomains: [String]
    public var membership: Membership?

    public init(
        slug: String, name: String, code: DepartementCode, timeZone: String? = nil,
        contactEmail: String? = nil, customDomains: [String] = [], membership: Membership? = nil
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

/// Consortium membership of a département as its file declares it: the census, the
/// conventions with what was paid, the pilot sites. A file without `[membership]` declares
/// none, and applying it leaves the registry's membership data as it is.
public struct Membership: Sendable, Equatable {
    public var population: Int?
    public var censusYear: Int?
    public var conventions: [Convention]
    public var pilotSites: [PilotSite]

    public init(population: Int? = nil, censusYear: Int? = nil, conventions: [Convention] = [], pilotSites: [PilotSite] = []) {
        self.population = population
        self.censusYear = censusYear
        self.conventions = conventions
        self.pilotSites = pilotSites
    }

    /// One convention of `[[membership.conventions]]`; dates are ISO, `YYYY-MM-DD`.
    public struct Convention: Sendable, Equatable {
        public var fundingRound: String
        /// `initial` or `renewal`.
        public var kind: String
        public var signedOn: String
        public var startsOn: String
        public var endsOn: String
        public var contributionDueOn: String
        /// The amount the convention sets when it departs from the consortium's rules.
        public var agreedContributionCents: Int?
        public var paidCents: Int?
        public var paidOn: String?

        public init(
            fundingRound: String, kind: String, signedOn: String, startsOn: String, endsOn: String, contributionDueOn: String? = nil,
            agreedContributionCents: Int? = nil, paidCents: Int? = nil, paidOn: String? = nil
        ) {
            self.fundingRound = fundingRound
            self.kind = kind
            self.signedOn = signedOn
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.contributionDueOn = contributionDueOn ?? startsOn
            self.agreedContributionCents = agreedContributionCents
            self.paidCents = paidCents
            self.paidOn = paidOn
        }
    }

    /// A pilot site: an organisation of the département and its referent social worker
    /// (staff: a name and a professional contact).
    public struct PilotSite: Sendable, Equatable {
        public var organisation: String
        public var referent: String
        public var contact: String

        public init(organisation: String, referent: String, contact: String) {
            self.organisation = organisation
            self.referent = referent
            self.contact = contact
        }
    }
}
