import Consortium
import Scheduling
import Testing

/// The warnings of the console's home, on a fixed day.
@Suite struct PartnershipWarningTests {
    static let today = LocalDate(iso: "2026-12-02")!
    static let rules = PartnershipRules(
        tiers: [.init(abovePopulation: 0, contributionCents: 600_000)], renewalRatePercent: 50, matchRatePercent: 100, matchCapCents: 20_000_000
    )

    static func convention(_ id: Int, ends: String, due: String = "2026-01-31") -> ConventionRecord {
        ConventionRecord(
            id: id, tenantID: id, departementName: "Département \(id)", departementCode: String(id), fundingRound: "2024-2026",
            kind: .initial, signedOn: nil, startsOn: LocalDate(iso: "2024-01-01")!, endsOn: LocalDate(iso: ends)!,
            contributionDueOn: LocalDate(iso: due)!, agreedContributionCents: nil
        )
    }

    func warnings(_ conventions: [ConventionRecord], payments: [PaymentRecord] = [], meetings: [CommitteeMeeting] = []) -> [PartnershipWarning] {
        PartnershipWarning.compute(
            today: Self.today, conventions: conventions,
            schedule: ContributionSchedule(
                conventions: conventions, populations: Dictionary(uniqueKeysWithValues: conventions.map { ($0.tenantID, 100_000) }), rules: Self.rules
            ), payments: payments, meetings: meetings
        )
    }

    @Test func aConventionEndingWithinThreeMonthsAsksForTheContinuationStrategy() {
        let paid = { (id: Int) in PaymentRecord(id: id, conventionID: id, paidOn: LocalDate(iso: "2026-01-10")!, amountCents: 600_000) }
        let found = warnings(
            [Self.convention(1, ends: "2027-02-02"), Self.convention(2, ends: "2027-03-02"), Self.convention(3, ends: "2027-03-03"),
             Self.convention(4, ends: "2026-12-01")],
            payments: [paid(1), paid(2), paid(3), paid(4)]
        ).filter { $0.kind == .conventionEnding }
        #expect(found.map(\.link) == ["/partenariat/departements/1", "/partenariat/departements/2"])
        #expect(found[0].message.contains("2\u{00A0}février 2027") && found[0].message.contains("stratégie de poursuite"))
    }

    @Test func aContributionPastItsDueDateAndNotPaidInFullIsReported() throws {
        let conventions = [Self.convention(1, ends: "2028-12-31", due: "2026-12-01"), Self.convention(2, ends: "2028-12-31", due: "2026-12-02")]
        let partial = PaymentRecord(id: 1, conventionID: 1, paidOn: LocalDate(iso: "2026-11-20")!, amountCents: 100_000)
        let unpaid = warnings(conventions, payments: [partial]).filter { $0.kind == .contributionUnpaid }
        try #require(unpaid.count == 1, "the second one falls due today, not yet late")
        #expect(unpaid[0].message.contains("5\u{202F}000,00\u{00A0}€"))
        let settled = PaymentRecord(id: 2, conventionID: 1, paidOn: LocalDate(iso: "2026-12-02")!, amountCents: 500_000)
        #expect(warnings(conventions, payments: [partial, settled]).filter { $0.kind == .contributionUnpaid }.isEmpty)
    }

    @Test func committeesMustMeetEveryMonthAndEveryQuarter() {
        func meeting(_ kind: CommitteeMeeting.Kind, _ day: String) -> CommitteeMeeting {
            CommitteeMeeting(id: 1, heldOn: LocalDate(iso: day)!, kind: kind, attendees: [], minutesURL: nil)
        }
        #expect(warnings([]).map(\.kind) == [.technicalCommitteeMissing, .steeringCommitteeMissing])
        // November's technical committee and September's steering one do not count for December.
        #expect(warnings([], meetings: [meeting(.technical, "2026-11-30"), meeting(.steering, "2026-09-30")]).map(\.kind)
            == [.technicalCommitteeMissing, .steeringCommitteeMissing])
        #expect(warnings([], meetings: [meeting(.technical, "2026-12-01"), meeting(.steering, "2026-10-01")]).isEmpty)
        #expect(warnings([], meetings: [meeting(.steering, "2026-12-01")]).map(\.kind) == [.technicalCommitteeMissing])
    }

    @Test func addingMonthsKeepsTheDayOrTakesTheLastOfAShorterMonth() {
        #expect(LocalDate(iso: "2026-01-31")!.adding(months: 1).description == "2026-02-28")
        #expect(LocalDate(iso: "2027-11-30")!.adding(months: 3).description == "2028-02-29")
        #expect(LocalDate(iso: "2026-03-15")!.adding(months: -3).description == "2025-12-15")
    }
}
