import Foundation
import PostgresNIO
import Tenancy

/// Reads the consortium's statistics from `shared` (what the refresh wrote): figures per
/// département and month, and the activity snapshot of each département.
public struct StatisticsRepository: Sendable {
    let connection: SharedConnection

    public init(_ connection: SharedConnection) {
        self.connection = connection
    }

    /// Figures per département (registry id) and month (`"2026-01"`), for the months from
    /// `first` to `last` inclusive (`"YYYY-MM"`). Daily counts add up over the month; distinct
    /// counts come from their month's row. Lead-day histograms (tens of buckets a day) are read
    /// for `last` alone: the pages show the median of the month they show.
    public func monthly(from first: String, through last: String) async throws -> [Int: [String: StatisticsFigures]] {
        let since = first + "-01"
        let until = last + "-01"
        var figures: [Int: [String: StatisticsFigures]] = [:]
        let sums = StatisticsMetric.daily.map { "sum(\($0.rawValue))" }.joined(separator: ", ")
        var bindings = PostgresBindings()
        bindings.append(since)
        bindings.append(until)
        let daily = PostgresQuery(
            unsafeSQL: """
                SELECT tenant_id, to_char(day, 'YYYY-MM'), ARRAY[\(sums)]::int[] FROM shared.statistics_days
                WHERE day >= $1::date AND day < $2::date + interval '1 month' GROUP BY 1, 2
                """,
            binds: bindings
        )
        for try await (tenant, month, values) in try await connection.query(daily).decode((Int, String, [Int]).self) {
            var counts: [StatisticsMetric: Int] = [:]
            for (metric, value) in zip(StatisticsMetric.daily, values) { counts[metric] = value }
            figures[tenant, default: [:]][month, default: StatisticsFigures()].counts.merge(counts) { $1 }
        }
        for try await (tenant, month, lead, rdvs) in try await connection.query(
            """
            SELECT tenant_id, to_char(day, 'YYYY-MM'), lead_days, sum(rdvs)::int FROM shared.statistics_lead_days
            WHERE day >= \(until)::date AND day < \(until)::date + interval '1 month' GROUP BY 1, 2, 3
            """
        ).decode((Int, String, Int, Int).self) {
            figures[tenant, default: [:]][month, default: StatisticsFigures()].lead.add(LeadHistogram([lead: rdvs]))
        }
        for try await (tenant, month, agents, usagers) in try await connection.query(
            """
            SELECT tenant_id, to_char(month, 'YYYY-MM'), active_agents, usagers_served FROM shared.statistics_months
            WHERE month >= \(since)::date AND month <= \(until)::date
            """
        ).decode((Int, String, Int, Int).self) {
            figures[tenant, default: [:]][month, default: StatisticsFigures()].counts[.activeAgents] = agents
            figures[tenant, default: [:]][month, default: StatisticsFigures()].counts[.usagersServed] = usagers
        }
        return figures
    }

    /// The snapshot of every département refreshed at least once, by registry id.
    public func departementActivity() async throws -> [Int: DepartementActivity] {
        var activity: [Int: DepartementActivity] = [:]
        for try await (tenant, agents, usagers, rdvs, last, segments, refreshed) in try await connection.query(
            """
            SELECT tenant_id, agents, usagers, rdvs_this_month, last_activity_at, sms_segments_this_month, refreshed_at
            FROM shared.departement_activity
            """
        ).decode((Int, Int, Int, Int, Date?, Int, Date).self) {
            activity[tenant] = DepartementActivity(
                counts: .init(agents: agents, usagers: usagers, rdvsThisMonth: rdvs, lastActivityAt: last, smsSegmentsThisMonth: segments),
                refreshedAt: refreshed
            )
        }
        return activity
    }

    /// When the statistics were last refreshed, for any département.
    public func lastRefresh() async throws -> Date? {
        for try await at in try await connection.query("SELECT max(refreshed_at) FROM shared.statistics_watermarks").decode(Date?.self) {
            return at
        }
        return nil
    }
}
