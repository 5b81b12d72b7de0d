import PostgresNIO
import Tenancy

/// SQL of the consortium's rules: one row of rates and cap, and the contribution tiers.
struct RulesRepository: Sendable {
    let connection: SharedConnection

    func load() async throws -> PartnershipRules {
        let rows = try await connection.query(
            "SELECT renewal_rate_percent, match_rate_percent, match_cap_cents FROM shared.partnership_rules"
        ).collect()
        guard let row = rows.first else { throw MissingReturnedRow("partnership rules") }
        let (renewal, match, cap) = try row.decode((Int, Int, Int).self)
        var tiers: [PartnershipRules.Tier] = []
        for try await (above, cents) in try await connection.query(
            "SELECT above_population, contribution_cents FROM shared.contribution_tiers"
        ).decode((Int, Int).self) {
            tiers.append(.init(abovePopulation: above, contributionCents: cents))
        }
        return PartnershipRules(tiers: tiers, renewalRatePercent: renewal, matchRatePercent: match, matchCapCents: cap)
    }

    func save(_ rules: PartnershipRules) async throws {
        try await connection.query(
            """
            UPDATE shared.partnership_rules SET renewal_rate_percent = \(rules.renewalRatePercent),
                match_rate_percent = \(rules.matchRatePercent), match_cap_cents = \(rules.matchCapCents), updated_at = now()
            """
        )
        try await connection.query("DELETE FROM shared.contribution_tiers")
        for tier in rules.tiers {
            try await connection.query(
                """
                INSERT INTO shared.contribution_tiers (above_population, contribution_cents)
                VALUES (\(tier.abovePopulation), \(tier.contributionCents))
                """
            )
        }
    }
}
