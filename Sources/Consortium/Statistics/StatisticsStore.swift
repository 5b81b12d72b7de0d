import Foundation
import PostgresNIO
import Tenancy

/// Writes one département's counts into `shared`, as the application role, and keeps its
/// watermark. Everything of one refresh is written in one transaction.
struct StatisticsStore: Sendable {
    let connection: SharedConnection

    init(_ connection: SharedConnection) {
        self.connection = connection
    }

    /// The instant before which the département's changes are counted, if it was ever refreshed.
    func watermark(of tenantID: Int) async throws -> Date? {
        for try await at in try await connection.query(
            "SELECT changes_before FROM shared.statistics_watermarks WHERE tenant_id = \(tenantID)"
        ).decode(Date.self) { return at }
        return nil
    }

    /// Moves the watermark to `changesBefore`, unless a run that read later already wrote
    /// (then this run's counts are older than what is stored, and nothing else is written).
    func advance(_ tenantID: Int, to changesBefore: Date, days: Int, full: Bool) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO shared.statistics_watermarks AS w (tenant_id, changes_before, days_recomputed, refreshed_at, full_refresh_at)
            VALUES (\(tenantID), \(changesBefore), \(days), now(), CASE WHEN \(full) THEN now() END)
            ON CONFLICT (tenant_id) DO UPDATE SET changes_before = excluded.changes_before, days_recomputed = excluded.days_recomputed,
                refreshed_at = now(), full_refresh_at = coalesce(excluded.full_refresh_at, w.full_refresh_at)
            WHERE w.changes_before <= excluded.changes_before
            RETURNING tenant_id
            """
        )
        for try await _ in rows { return true }
        return false
    }

    /// Writes the counts of `days`; a nil count (its source has no row left that day) keeps the
    /// stored one, or 0 for a new day.
    func write(_ tenantID: Int, days: [String: [Int?]]) async throws {
        guard !days.isEmpty else { return }
        let names = days.keys.sorted()
        let columns = StatisticsMetric.daily.map(\.rawValue)
        func bindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(tenantID)
            bindings.append(names)
            for index in columns.indices { bindings.append(names.map { days[$0]![index] ?? -1 }) }
            return bindings
        }
        let incoming = "unnest($2::date[], \(columns.indices.map { "$\($0 + 3)::int[]" }.joined(separator: ", "))) AS i(day, \(columns.joined(separator: ", ")))"
        try await connection.query(PostgresQuery(
            unsafeSQL: """
                UPDATE shared.statistics_days s SET \(columns.map { "\($0) = CASE WHEN i.\($0) < 0 THEN s.\($0) ELSE i.\($0) END" }.joined(separator: ", ")),
                    computed_at = now()
                FROM \(incoming) WHERE s.tenant_id = $1 AND s.day = i.day
                """,
            binds: bindings()
        ))
        try await connection.query(PostgresQuery(
            unsafeSQL: """
                INSERT INTO shared.statistics_days (tenant_id, day, \(columns.joined(separator: ", ")))
                SELECT $1, i.day, \(columns.map { "greatest(i.\($0), 0)" }.joined(separator: ", ")) FROM \(incoming)
                ON CONFLICT (tenant_id, day) DO NOTHING
                """,
            binds: bindings()
        ))
    }

    /// Replaces the lead-days histogram of the days that have buckets (a bucket that emptied goes
    /// away); a day without any appointment left keeps its histogram.
    func write(_ tenantID: Int, leadDays buckets: [(String, Int, Int)]) async throws {
        guard !buckets.isEmpty else { return }
        let days = Array(Set(buckets.map(\.0)))
        try await connection.query("DELETE FROM shared.statistics_lead_days WHERE tenant_id = \(tenantID) AND day = ANY(\(days)::date[])")
        try await connection.query(
            """
            INSERT INTO shared.statistics_lead_days (tenant_id, day, lead_days, rdvs)
            SELECT \(tenantID), * FROM unnest(\(buckets.map(\.0))::date[], \(buckets.map(\.1))::int[], \(buckets.map(\.2))::int[])
            """
        )
    }

    /// Writes the distinct counts of months. A month that now holds fewer appointments than
    /// when last counted lost some to retention: its distinct counts are then never lowered.
    func write(_ tenantID: Int, months: [(String, Int, Int, Int)]) async throws {
        guard !months.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO shared.statistics_months AS m (tenant_id, month, active_agents, usagers_served, rdvs, computed_at)
            SELECT \(tenantID), i.*, now()
            FROM unnest(\(months.map(\.0))::date[], \(months.map(\.1))::int[], \(months.map(\.2))::int[], \(months.map(\.3))::int[]) AS i
            ON CONFLICT (tenant_id, month) DO UPDATE SET
                active_agents = CASE WHEN excluded.rdvs < m.rdvs THEN greatest(m.active_agents, excluded.active_agents) ELSE excluded.active_agents END,
                usagers_served = CASE WHEN excluded.rdvs < m.rdvs THEN greatest(m.usagers_served, excluded.usagers_served) ELSE excluded.usagers_served END,
                rdvs = greatest(m.rdvs, excluded.rdvs), computed_at = now()
            """
        )
    }

    func write(_ tenantID: Int, activity: DepartementActivity.Counts) async throws {
        try await connection.query(
            """
            INSERT INTO shared.departement_activity (tenant_id, agents, usagers, rdvs_this_month, last_activity_at, sms_segments_this_month, refreshed_at)
            VALUES (\(tenantID), \(activity.agents), \(activity.usagers), \(activity.rdvsThisMonth), \(activity.lastActivityAt), \(activity.smsSegmentsThisMonth), now())
            ON CONFLICT (tenant_id) DO UPDATE SET agents = excluded.agents, usagers = excluded.usagers,
                rdvs_this_month = excluded.rdvs_this_month, last_activity_at = excluded.last_activity_at,
                sms_segments_this_month = excluded.sms_segments_this_month, refreshed_at = now()
            """
        )
    }
}
