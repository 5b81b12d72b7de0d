import Scheduling

/// A convention as the registry holds it, with its département's name.
public struct ConventionRecord: Sendable, Equatable {
    public let id: Int
    public let tenantID: Int
    public let departementName: String
    public let departementCode: String
    public let fundingRound: String
    public let kind: ConventionKind
    /// Unknown only for conventions carried over from before the registry recorded it.
    public let signedOn: LocalDate?
    public let startsOn: LocalDate
    public let endsOn: LocalDate
    public let contributionDueOn: LocalDate
    /// The amount the convention itself sets, when it departs from the rules.
    public let agreedContributionCents: Int?

    public init(
        id: Int, tenantID: Int, departementName: String, departementCode: String, fundingRound: String, kind: ConventionKind,
        signedOn: LocalDate?, startsOn: LocalDate, endsOn: LocalDate, contributionDueOn: LocalDate, agreedContributionCents: Int?
    ) {
        self.id = id
        self.tenantID = tenantID
        self.departementName = departementName
        self.departementCode = departementCode
        self.fundingRound = fundingRound
        self.kind = kind
        self.signedOn = signedOn
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.contributionDueOn = contributionDueOn
        self.agreedContributionCents = agreedContributionCents
    }
}

/// A payment towards a convention.
public struct PaymentRecord: Sendable, Equatable {
    public let id: Int
    public let conventionID: Int
    public let paidOn: LocalDate
    public let amountCents: Int

    public init(id: Int, conventionID: Int, paidOn: LocalDate, amountCents: Int) {
        self.id = id
        self.conventionID = conventionID
        self.paidOn = paidOn
        self.amountCents = amountCents
    }
}

/// What each convention asks of its département under the rules: the amount the convention
/// sets when it sets one, otherwise the tier of the département's census population for an
/// initial convention, and for a renewal the renewal rate of the département's latest
/// initial contribution before it.
public struct ContributionSchedule: Sendable {
    private var dues: [Int: Int] = [:]

    public init(conventions: [ConventionRecord], populations: [Int: Int], rules: PartnershipRules) {
        let chronological = conventions.sorted { ($0.startsOn, $0.id) < ($1.startsOn, $1.id) }
        var initialOf: [Int: Int] = [:]
        for convention in chronological {
            let due = convention.agreedContributionCents ?? rules.contributionDue(
                kind: convention.kind, population: populations[convention.tenantID], initialContributionCents: initialOf[convention.tenantID]
            )
            if convention.kind == .initial { initialOf[convention.tenantID] = due }
            dues[convention.id] = due
        }
    }

    public func dueCents(conventionID: Int) -> Int { dues[conventionID] ?? 0 }
}

/// One funding round on the console: per département what it owes and paid, what the State
/// adds, and what remains under the cap.
public struct RoundSummary: Sendable {
    public struct Row: Sendable, Equatable {
        public let tenantID: Int
        public let departementName: String
        public let departementCode: String
        public let dueCents: Int
        public let paidCents: Int
        public let matchedCents: Int
        public var totalCents: Int { paidCents + matchedCents }
    }

    public let fundingRound: String
    public let rows: [Row]
    public let match: StateMatch

    public init(
        fundingRound: String, conventions: [ConventionRecord], payments: [PaymentRecord], schedule: ContributionSchedule,
        rules: PartnershipRules
    ) {
        let inRound = conventions.filter { $0.fundingRound == fundingRound }
        let tenantOf = Dictionary(inRound.map { ($0.id, $0.tenantID) }, uniquingKeysWith: { first, _ in first })
        let roundPayments = payments.filter { tenantOf[$0.conventionID] != nil }
        let match = StateMatch(
            payments: roundPayments.map { StateMatch.Payment(id: $0.id, tenantID: tenantOf[$0.conventionID]!, paidOn: $0.paidOn, amountCents: $0.amountCents) },
            matchRatePercent: rules.matchRatePercent, capCents: rules.matchCapCents
        )
        var rows: [Row] = []
        for tenantID in Set(inRound.map(\.tenantID)) {
            let mine = inRound.filter { $0.tenantID == tenantID }
            let ids = Set(mine.map(\.id))
            rows.append(Row(
                tenantID: tenantID, departementName: mine[0].departementName, departementCode: mine[0].departementCode,
                dueCents: mine.reduce(0) { $0 + schedule.dueCents(conventionID: $1.id) },
                paidCents: roundPayments.filter { ids.contains($0.conventionID) }.reduce(0) { $0 + $1.amountCents },
                matchedCents: match.matchedCents(tenantID: tenantID)
            ))
        }
        self.fundingRound = fundingRound
        self.rows = rows.sorted { $0.departementCode < $1.departementCode }
        self.match = match
    }

    public var dueCents: Int { rows.reduce(0) { $0 + $1.dueCents } }
    public var paidCents: Int { rows.reduce(0) { $0 + $1.paidCents } }
    public var matchedCents: Int { match.matchedCents }
    public var totalCents: Int { paidCents + matchedCents }
}
