import Foundation
import Identity
import Scheduling
import Tenancy

/// The consortium's money and meetings on the console: the rules, each funding round's table,
/// the expenses ledger, the management report of a convention, the committee log and the
/// warnings of the home page. Writes check the whole form first and run in one transaction
/// with their journal event.
public struct ConsortiumFinance: Sendable {
    /// A funding round's table and what it was computed from.
    public struct Overview: Sendable {
        public let rules: PartnershipRules
        /// Every round a convention names, most recent first.
        public let rounds: [String]
        /// The round shown; nil when no convention exists yet.
        public let summary: RoundSummary?
        /// Every registered département, for links to their pages.
        public let departements: [(id: Int, code: String, name: String, managedInConsoleAt: Date?)]
    }

    /// A convention's management report: contribution, payments with the State's match, and
    /// the round's expenses dated within the convention.
    public struct Report: Sendable {
        public let convention: ConventionRecord
        public let dueCents: Int
        public let payments: [StateMatch.Line]
        public let expenses: [Expense]
        public var paidCents: Int { payments.reduce(0) { $0 + $1.payment.amountCents } }
        public var matchedCents: Int { payments.reduce(0) { $0 + $1.matchedCents } }
        public var expensesCents: Int { expenses.reduce(0) { $0 + $1.amountCents } }
    }

    let database: SharedDatabase

    public init(_ database: SharedDatabase) {
        self.database = database
    }

    /// What everything is computed from, read in one transaction.
    struct Facts: Sendable {
        let rules: PartnershipRules
        let census: [Int: Census]
        let conventions: [ConventionRecord]
        let payments: [PaymentRecord]
        var schedule: ContributionSchedule {
            ContributionSchedule(conventions: conventions, populations: census.compactMapValues(\.population), rules: rules)
        }
    }

    static func facts(_ connection: SharedConnection) async throws -> Facts {
        let repository = PartnershipRepository(connection: connection)
        return Facts(
            rules: try await RulesRepository(connection: connection).load(), census: try await repository.memberships(),
            conventions: try await repository.conventions(), payments: try await repository.payments()
        )
    }

    /// The table of `round`, or of the current round: the one of the latest convention in force
    /// `today`, else of the latest convention to start.
    public func overview(round: String?, today: LocalDate) async throws -> Overview {
        try await database.transaction { connection in
            let facts = try await Self.facts(connection)
            let latestFirst = facts.conventions.sorted { ($0.startsOn, $0.id) > ($1.startsOn, $1.id) }
            var rounds: [String] = []
            for convention in latestFirst where !rounds.contains(convention.fundingRound) { rounds.append(convention.fundingRound) }
            let current = latestFirst.first { $0.startsOn <= today && today <= $0.endsOn }?.fundingRound ?? latestFirst.first?.fundingRound
            let shown = round.flatMap { rounds.contains($0) ? $0 : nil } ?? current
            let departements = try await connection.query("SELECT id, insee_code, name FROM shared.tenants ORDER BY insee_code").collect()
                .map { row in
                    let (id, code, name) = try row.decode((Int, String, String).self)
                    return (id: id, code: code, name: name, managedInConsoleAt: facts.census[id]?.managedInConsoleAt)
                }
            return Overview(
                rules: facts.rules, rounds: rounds,
                summary: shown.map {
                    RoundSummary(fundingRound: $0, conventions: facts.conventions, payments: facts.payments, schedule: facts.schedule, rules: facts.rules)
                },
                departements: departements
            )
        }
    }

    public func rules() async throws -> PartnershipRules {
        try await database.transaction { try await RulesRepository(connection: $0).load() }
    }

    /// Replaces the rules; the tables computed from them change with them.
    public func updateRules(_ draft: RulesDraft, by actor: PartnershipService.Actor) async throws {
        var checker = FieldChecker()
        let renewal = checker.integer("renewal_rate", draft.renewalRate, label: "Taux de renouvellement", range: 0...100)
        let match = checker.integer("match_rate", draft.matchRate, label: "Taux d’abondement de l’État", range: 0...100)
        let cap = checker.amount("match_cap", draft.matchCap, label: "Plafond de l’abondement")
        var tiers: [PartnershipRules.Tier] = []
        for row in draft.tiers {
            if row.above.trimmingCharacters(in: .whitespaces).isEmpty, row.amount.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let above = checker.integer("tier_above_\(row.index)", row.above, label: "Seuil de population", range: 0...Int(Int32.max))
            let amount = checker.amount("tier_amount_\(row.index)", row.amount, label: "Contribution de la tranche")
            guard let above, let amount else { continue }
            if tiers.contains(where: { $0.abovePopulation == above }) {
                checker.fail("tier_above_\(row.index)", "Seuil de population : deux tranches ont le même seuil.")
            }
            tiers.append(.init(abovePopulation: above, contributionCents: amount))
        }
        if tiers.isEmpty, checker.problems.isEmpty {
            checker.fail("tier_above_0", "Tranches : il en faut au moins une.")
        }
        try checker.check()
        let rules = PartnershipRules(tiers: tiers, renewalRatePercent: renewal!, matchRatePercent: match!, matchCapCents: cap!)
        try await database.transaction { connection in
            try await RulesRepository(connection: connection).save(rules)
            try await AuditLog(connection, realm: .consortium(.operator_)).record(.rulesChanged, actor: actor.accountID, tenantID: nil, ip: actor.ip)
        }
    }

    public func report(conventionID: Int) async throws -> Report {
        try await database.transaction { connection in
            let facts = try await Self.facts(connection)
            guard let convention = facts.conventions.first(where: { $0.id == conventionID }) else { throw PartnershipNotFound() }
            let summary = RoundSummary(
                fundingRound: convention.fundingRound, conventions: facts.conventions, payments: facts.payments,
                schedule: facts.schedule, rules: facts.rules
            )
            let mine = Set(facts.payments.filter { $0.conventionID == conventionID }.map(\.id))
            let expenses = try await ExpenseRepository(connection: connection).all(fundingRound: convention.fundingRound)
                .filter { $0.spentOn >= convention.startsOn && $0.spentOn <= convention.endsOn }
            return Report(
                convention: convention, dueCents: facts.schedule.dueCents(conventionID: conventionID),
                payments: summary.match.lines.filter { mine.contains($0.payment.id) }, expenses: expenses
            )
        }
    }

    public func warnings(today: LocalDate) async throws -> [PartnershipWarning] {
        try await database.transaction { connection in
            let facts = try await Self.facts(connection)
            return PartnershipWarning.compute(
                today: today, conventions: facts.conventions, schedule: facts.schedule, payments: facts.payments,
                meetings: try await CommitteeRepository(connection: connection).all()
            )
        }
    }
}
