import Consortium
import Scheduling
import SeededRandom
import Testing

/// The State's match and the contributions, against cases computed by hand.
@Suite struct StateMatchTests {
    static let rules = PartnershipRules(
        tiers: [
            .init(abovePopulation: 250_000, contributionCents: 1_200_000), .init(abovePopulation: 1_000_000, contributionCents: 3_000_000),
            .init(abovePopulation: 0, contributionCents: 600_000), .init(abovePopulation: 500_000, contributionCents: 2_000_000),
        ],
        renewalRatePercent: 50, matchRatePercent: 100, matchCapCents: 20_000_000
    )

    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    @Test func aDepartementPaysTheTierOfTheHighestThresholdItsPopulationExceeds() {
        #expect(Self.rules.tierContribution(population: 1_450_000) == 3_000_000)
        #expect(Self.rules.tierContribution(population: 1_000_000) == 2_000_000, "exactly one million is not more than one million")
        #expect(Self.rules.tierContribution(population: 1_000_001) == 3_000_000)
        #expect(Self.rules.tierContribution(population: 520_000) == 2_000_000)
        #expect(Self.rules.tierContribution(population: 250_000) == 600_000)
        #expect(Self.rules.tierContribution(population: 12) == 600_000)
        #expect(Self.rules.tierContribution(population: nil) == 0)
    }

    @Test func aRenewalIsHalfTheInitialContributionRoundedDownToTheCent() {
        #expect(Self.rules.contributionDue(kind: .renewal, population: 1_450_000, initialContributionCents: 3_000_000) == 1_500_000)
        // 27 000,50 € initially: 13 500,25 €; 13 500,25 € of a renewal at 50 %: 6 750,125 € → 6 750,12 €.
        #expect(Self.rules.contributionDue(kind: .renewal, population: 885_000, initialContributionCents: 2_700_050) == 1_350_025)
        #expect(Self.rules.contributionDue(kind: .renewal, population: 885_000, initialContributionCents: 1_350_025) == 675_012)
        // No initial convention on record: half of the tier.
        #expect(Self.rules.contributionDue(kind: .renewal, population: 520_000, initialContributionCents: nil) == 1_000_000)
    }

    @Test func theCapReachedMidwayCutsThePaymentThatReachesItAndNothingAfter() {
        // Cap 50 000 €. In payment order: 2 February 30 000 € (matched in full), 1 March 30 000 €
        // (20 000 € left under the cap), 1 April 10 000 € (nothing left).
        let payments = [
            StateMatch.Payment(id: 1, tenantID: 62, paidOn: Self.day("2026-03-01"), amountCents: 3_000_000),
            StateMatch.Payment(id: 2, tenantID: 26, paidOn: Self.day("2026-02-02"), amountCents: 3_000_000),
            StateMatch.Payment(id: 3, tenantID: 77, paidOn: Self.day("2026-04-01"), amountCents: 1_000_000),
        ]
        let match = StateMatch(payments: payments, matchRatePercent: 100, capCents: 5_000_000)
        #expect(match.lines.map(\.payment.id) == [2, 1, 3])
        #expect(match.lines.map(\.matchedCents) == [3_000_000, 2_000_000, 0])
        #expect(match.matchedCents(tenantID: 26) == 3_000_000)
        #expect(match.matchedCents(tenantID: 62) == 2_000_000)
        #expect(match.matchedCents(tenantID: 77) == 0)
        #expect(match.newMoneyCents == 7_000_000)
        #expect(match.matchedCents == 5_000_000 && match.remainingCents == 0)
    }

    @Test func paymentsOfTheSameDayAreMatchedInTheOrderTheyWereRecorded() {
        let payments = [
            StateMatch.Payment(id: 9, tenantID: 62, paidOn: Self.day("2026-05-04"), amountCents: 800_000),
            StateMatch.Payment(id: 4, tenantID: 26, paidOn: Self.day("2026-05-04"), amountCents: 800_000),
        ]
        let match = StateMatch(payments: payments, matchRatePercent: 100, capCents: 1_000_000)
        #expect(match.lines.map(\.payment.id) == [4, 9])
        #expect(match.matchedCents(tenantID: 26) == 800_000 && match.matchedCents(tenantID: 62) == 200_000)
    }

    @Test func aPartialRateIsRoundedDownToTheCent() {
        let match = StateMatch(
            payments: [StateMatch.Payment(id: 1, tenantID: 62, paidOn: Self.day("2026-01-10"), amountCents: 333)],
            matchRatePercent: 50, capCents: 20_000_000
        )
        #expect(match.lines[0].eligibleCents == 166 && match.matchedCents == 166)
        #expect(match.remainingCents == 20_000_000 - 166)
    }

    @Test func theRoundTableSumsEachDepartementAndComputesRenewalsFromTheInitialContribution() {
        func convention(_ id: Int, tenant: Int, round: String, kind: ConventionKind, start: String, agreed: Int? = nil) -> ConventionRecord {
            ConventionRecord(
                id: id, tenantID: tenant, departementName: "D\(tenant)", departementCode: String(tenant), fundingRound: round, kind: kind,
                signedOn: nil, startsOn: Self.day(start), endsOn: Self.day(start).adding(months: 36).adding(days: -1),
                contributionDueOn: Self.day(start), agreedContributionCents: agreed
            )
        }
        let conventions = [
            convention(1, tenant: 62, round: "2023-2025", kind: .initial, start: "2023-01-01"),
            convention(2, tenant: 62, round: "2026-2028", kind: .renewal, start: "2026-01-01"),
            convention(3, tenant: 26, round: "2026-2028", kind: .initial, start: "2026-03-01", agreed: 1_800_000),
        ]
        let schedule = ContributionSchedule(conventions: conventions, populations: [62: 1_450_000, 26: 520_000], rules: Self.rules)
        #expect(schedule.dueCents(conventionID: 1) == 3_000_000)
        #expect(schedule.dueCents(conventionID: 2) == 1_500_000)
        #expect(schedule.dueCents(conventionID: 3) == 1_800_000, "the amount the convention sets wins over the tier")
        let payments = [
            PaymentRecord(id: 1, conventionID: 1, paidOn: Self.day("2023-02-01"), amountCents: 3_000_000),
            PaymentRecord(id: 2, conventionID: 2, paidOn: Self.day("2026-02-01"), amountCents: 1_500_000),
            PaymentRecord(id: 3, conventionID: 3, paidOn: Self.day("2026-04-01"), amountCents: 900_000),
        ]
        let summary = RoundSummary(fundingRound: "2026-2028", conventions: conventions, payments: payments, schedule: schedule, rules: Self.rules)
        #expect(summary.rows.map(\.departementCode) == ["26", "62"])
        #expect(summary.rows.map(\.dueCents) == [1_800_000, 1_500_000])
        #expect(summary.rows.map(\.paidCents) == [900_000, 1_500_000])
        #expect(summary.rows.map(\.matchedCents) == [900_000, 1_500_000], "the 2023 payment belongs to another round")
        #expect(summary.totalCents == 4_800_000)
        #expect(summary.match.remainingCents == 20_000_000 - 2_400_000)
    }
}

/// Properties of the match over many random rounds (a fixed seed: a failure is reproducible).
@Suite struct StateMatchPropertyTests {

    @Test(arguments: 0..<400)
    func theMatchNeverExceedsTheCapNorTheNewMoney(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 7919)
        let count = Int.random(in: 0...25, using: &random)
        let payments = (0..<count).map { index in
            StateMatch.Payment(
                id: index + 1, tenantID: Int.random(in: 1...6, using: &random),
                paidOn: LocalDate(iso: "2026-01-01")!.adding(days: Int.random(in: 0...900, using: &random)),
                amountCents: Int.random(in: 1...5_000_000, using: &random)
            )
        }
        let rate = Int.random(in: 0...100, using: &random)
        let cap = Int.random(in: 0...30_000_000, using: &random)
        let match = StateMatch(payments: payments, matchRatePercent: rate, capCents: cap)

        #expect(match.matchedCents <= cap)
        #expect(match.matchedCents <= match.newMoneyCents)
        #expect(match.lines.allSatisfy { $0.matchedCents >= 0 && $0.matchedCents <= $0.eligibleCents && $0.eligibleCents <= $0.payment.amountCents })
        // Nothing is lost either: the State adds what the rate gives, up to the cap.
        #expect(match.matchedCents == min(cap, match.lines.reduce(0) { $0 + $1.eligibleCents }))
        #expect(match.remainingCents == cap - match.matchedCents)
        // Once a payment is cut by the cap, every later one gets nothing.
        if let cut = match.lines.firstIndex(where: { $0.matchedCents < $0.eligibleCents }) {
            #expect(match.lines[(cut + 1)...].allSatisfy { $0.matchedCents == 0 })
        }
        // The order payments are listed in does not matter: only their date and id do.
        let shuffled = StateMatch(payments: payments.shuffled(using: &random), matchRatePercent: rate, capCents: cap)
        #expect(shuffled.lines == match.lines)
    }
}
