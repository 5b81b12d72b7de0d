/// The consortium's rules, as operators set them on the console: contribution tiers by
/// population, the renewal rate, the State's matching rate and its cap per funding round.
public struct PartnershipRules: Sendable, Equatable {
    /// Contribution of an initial convention for a population above `abovePopulation`.
    public struct Tier: Sendable, Equatable {
        public var abovePopulation: Int
        public var contributionCents: Int

        public init(abovePopulation: Int, contributionCents: Int) {
            self.abovePopulation = abovePopulation
            self.contributionCents = contributionCents
        }
    }

    /// Highest threshold first.
    public private(set) var tiers: [Tier]
    /// A renewal is asked at this share of the initial contribution.
    public var renewalRatePercent: Int
    /// State cents for each cent of new money a collectivity brings (100: one euro for one euro).
    public var matchRatePercent: Int
    /// The most the State adds over one funding round, all départements together.
    public var matchCapCents: Int

    public init(tiers: [Tier], renewalRatePercent: Int, matchRatePercent: Int, matchCapCents: Int) {
        self.tiers = tiers.sorted { $0.abovePopulation > $1.abovePopulation }
        self.renewalRatePercent = renewalRatePercent
        self.matchRatePercent = matchRatePercent
        self.matchCapCents = matchCapCents
    }

    /// The tier of the highest threshold `population` exceeds (a threshold of 0 takes any
    /// département); 0 when no tier applies or the population is unknown.
    public func tierContribution(population: Int?) -> Int {
        guard let population else { return 0 }
        return tiers.first { population > $0.abovePopulation || $0.abovePopulation == 0 }?.contributionCents ?? 0
    }

    /// What a convention asks of its département: the tier for an initial one; for a renewal,
    /// the renewal rate of the département's initial contribution (its tier when it has none
    /// on record), rounded down to the cent.
    public func contributionDue(kind: ConventionKind, population: Int?, initialContributionCents: Int?) -> Int {
        switch kind {
        case .initial: tierContribution(population: population)
        case .renewal: (initialContributionCents ?? tierContribution(population: population)) * renewalRatePercent / 100
        }
    }
}

/// Whether a convention is a département's first or a renewal.
public enum ConventionKind: String, Sendable, CaseIterable {
    case initial
    case renewal

    public var frenchName: String { self == .initial ? "initiale" : "renouvellement" }
}
