import Foundation
import PostgresNIO
import Tenancy

/// Counts read in one département's transaction, as that département's role: which days changed,
/// and the figures of given days and months. It reads only; `StatisticsStore` writes the counts
/// into `shared` in a transaction of its own, so the two may live on different database nodes.
/// Days are the département's local days (its time zone).
struct StatisticsCollector: Sendable {
    let connection: TenantConnection
    let timeZone: String

    /// The transaction's clock: rows changed after it are left to the next run.
    func now() async throws -> Date {
        for try await now in try await connection.query("SELECT now()").decode(Date.self) { return now }
        throw MissingReturnedRow("now()")
    }

    /// Days (ISO) whose figures rows changed after `since` can alter: the creation and start
    /// days of every appointment with a new event or update, the sending days of messages with a
    /// new delivery attempt, and the days of new or taken waiting-list offers. A row deleted by
    /// retention leaves no trace here, on purpose: its day keeps the figures already counted.
    func changedDays(since: Date) async throws -> [String] {
        let tz = timeZone
        return try await strings(
            """
            WITH changed AS (
                SELECT id FROM rdvs WHERE updated_at > \(since)
                UNION SELECT rdv_id FROM rdv_events WHERE occurred_at > \(since)
                UNION SELECT m.rdv_id FROM message_attempts a JOIN messages m ON m.id = a.message_id
                    WHERE a.attempted_at > \(since) AND m.rdv_id IS NOT NULL
            ), touched AS (
                SELECT r.created_at AS at FROM rdvs r JOIN changed c ON c.id = r.id
                UNION ALL SELECT r.starts_at FROM rdvs r JOIN changed c ON c.id = r.id
                UNION ALL SELECT m.sent_at FROM message_attempts a JOIN messages m ON m.id = a.message_id
                    WHERE a.attempted_at > \(since) AND m.sent_at IS NOT NULL
                UNION ALL SELECT created_at FROM waiting_list_offers WHERE created_at > \(since)
                UNION ALL SELECT created_at FROM waiting_list_offers WHERE taken_at > \(since)
            )
            SELECT DISTINCT (at AT TIME ZONE \(tz))::date::text FROM touched ORDER BY 1
            """
        )
    }

    /// Every day that still has rows to count (for a full refresh).
    func allDays() async throws -> [String] {
        let tz = timeZone
        return try await strings(
            """
            SELECT DISTINCT day::text FROM (
                SELECT (created_at AT TIME ZONE \(tz))::date AS day FROM rdvs
                UNION SELECT (starts_at AT TIME ZONE \(tz))::date FROM rdvs
                UNION SELECT (sent_at AT TIME ZONE \(tz))::date FROM messages WHERE sent_at IS NOT NULL
                UNION SELECT (created_at AT TIME ZONE \(tz))::date FROM waiting_list_offers
            ) days ORDER BY 1
            """
        )
    }

    /// The daily counts of `days`, in the order of `StatisticsMetric.daily`. Each day is read
    /// through its own time range, so the indexes on the timestamps serve it. A count is nil when
    /// its source has no row that day at all (no appointment created, none starting, no message
    /// sent, no offer made): retention may have deleted them, and the stored count must stay.
    func dayCounts(_ days: [String]) async throws -> [String: [Int?]] {
        let tz = timeZone
        var counts: [String: [Int?]] = [:]
        for try await (day, values) in try await connection.query(
            """
            WITH bounds AS (
                SELECT day, day::timestamp AT TIME ZONE \(tz) AS since, (day + 1)::timestamp AT TIME ZONE \(tz) AS until
                FROM unnest(\(days)::date[]) AS day
            ), created AS (
                SELECT b.day, count(*) FILTER (WHERE r.created_by = 'agent') AS agent, count(*) FILTER (WHERE r.created_by = 'usager') AS usager,
                       count(*) FILTER (WHERE r.created_by = 'waiting_list') AS waiting_list, count(*) FILTER (WHERE r.created_by = 'api') AS api
                FROM bounds b JOIN rdvs r ON r.created_at >= b.since AND r.created_at < b.until GROUP BY b.day
            ), outcomes AS (
                SELECT b.day, count(*) FILTER (WHERE r.status = 'seen') AS seen, count(*) FILTER (WHERE r.status = 'noshow') AS noshow,
                       count(*) FILTER (WHERE r.status = 'excused') AS excused, count(*) FILTER (WHERE r.status = 'revoked') AS revoked,
                       count(*) FILTER (WHERE r.status = 'noshow' AND reminder.left) AS noshow_reminded,
                       count(*) FILTER (WHERE r.status = 'noshow' AND NOT reminder.left) AS noshow_not_reminded,
                       count(*) FILTER (WHERE r.status = 'excused' AND r.capacity IS NULL) AS freed,
                       count(*) FILTER (WHERE r.status = 'excused' AND r.capacity IS NULL AND EXISTS (
                           SELECT 1 FROM rdv_agents freed JOIN rdv_agents other ON other.agent_id = freed.agent_id AND other.during && freed.during
                           WHERE freed.rdv_id = r.id AND other.rdv_id <> r.id AND other.active
                       )) AS rebooked,
                       count(*) FILTER (WHERE r.confirmation = 'confirmed') AS confirmed,
                       count(*) FILTER (WHERE r.confirmation = 'confirmed' AND r.status = 'noshow') AS noshow_confirmed,
                       count(*) FILTER (WHERE r.confirmation IN ('unanswered', 'warned')) AS unanswered,
                       count(*) FILTER (WHERE r.confirmation IN ('unanswered', 'warned') AND r.status = 'noshow') AS noshow_unanswered,
                       count(*) FILTER (WHERE r.confirmation = 'declined') AS declined,
                       count(*) FILTER (WHERE r.confirmation = 'released') AS released
                FROM bounds b JOIN rdvs r ON r.starts_at >= b.since AND r.starts_at < b.until
                CROSS JOIN LATERAL (SELECT EXISTS (
                    SELECT 1 FROM messages m WHERE m.rdv_id = r.id AND m.kind = 'reminder' AND m.state IN ('sent', 'delivered')
                ) AS left) reminder
                GROUP BY b.day
            ), sent AS (
                SELECT b.day,
                       count(*) FILTER (WHERE m.kind = 'reminder' AND m.channel = 'email') AS reminders_email,
                       count(*) FILTER (WHERE m.kind = 'reminder' AND m.channel = 'sms') AS reminders_sms,
                       count(*) FILTER (WHERE m.kind = 'confirmation' AND m.channel = 'email') AS confirmations_email,
                       count(*) FILTER (WHERE m.kind = 'confirmation' AND m.channel = 'sms') AS confirmations_sms,
                       coalesce(sum(coalesce(m.segments, 1)) FILTER (WHERE m.channel = 'sms'), 0) AS segments
                FROM bounds b JOIN messages m ON m.sent_at >= b.since AND m.sent_at < b.until GROUP BY b.day
            ), offers AS (
                SELECT b.day, count(*) AS sent, count(*) FILTER (WHERE o.taken_at IS NOT NULL) AS taken
                FROM bounds b JOIN waiting_list_offers o ON o.created_at >= b.since AND o.created_at < b.until GROUP BY b.day
            )
            -- -1: no source row that day (see above); LEFT JOIN leaves the group's counts NULL.
            SELECT b.day::text, ARRAY[
                coalesce(c.agent, -1), coalesce(c.usager, -1), coalesce(c.waiting_list, -1), coalesce(c.api, -1),
                coalesce(o.seen, -1), coalesce(o.noshow, -1), coalesce(o.excused, -1), coalesce(o.revoked, -1),
                coalesce(o.noshow_reminded, -1), coalesce(o.noshow_not_reminded, -1),
                coalesce(s.reminders_email, -1), coalesce(s.reminders_sms, -1), coalesce(s.confirmations_email, -1), coalesce(s.confirmations_sms, -1),
                coalesce(s.segments, -1), coalesce(o.freed, -1), coalesce(o.rebooked, -1), coalesce(f.sent, -1), coalesce(f.taken, -1),
                coalesce(o.confirmed, -1), coalesce(o.noshow_confirmed, -1), coalesce(o.unanswered, -1), coalesce(o.noshow_unanswered, -1),
                coalesce(o.declined, -1), coalesce(o.released, -1)
            ]::int[]
            FROM bounds b LEFT JOIN created c ON c.day = b.day LEFT JOIN outcomes o ON o.day = b.day
            LEFT JOIN sent s ON s.day = b.day LEFT JOIN offers f ON f.day = b.day
            """
        ).decode((String, [Int]).self) {
            counts[day] = values.map { value -> Int? in value < 0 ? nil : value }
        }
        return counts
    }

    /// Lead days of the appointments created on `days`: (day, lead days, appointments). A day
    /// without any appointment left has no bucket, and keeps its stored histogram.
    func leadDays(_ days: [String]) async throws -> [(String, Int, Int)] {
        let tz = timeZone
        var buckets: [(String, Int, Int)] = []
        for try await bucket in try await connection.query(
            """
            WITH bounds AS (
                SELECT day, day::timestamp AT TIME ZONE \(tz) AS since, (day + 1)::timestamp AT TIME ZONE \(tz) AS until
                FROM unnest(\(days)::date[]) AS day
            )
            SELECT b.day::text, greatest(0, (r.starts_at AT TIME ZONE \(tz))::date - b.day), count(*)::int
            FROM bounds b JOIN rdvs r ON r.created_at >= b.since AND r.created_at < b.until GROUP BY 1, 2
            """
        ).decode((String, Int, Int).self) {
            buckets.append(bucket)
        }
        return buckets
    }

    /// Distinct counts of `months` (ISO first days): agents holding an appointment that month,
    /// usagers seen that month, and the appointments starting that month (to tell retention).
    /// Months without any appointment left are not returned (their stored counts stay).
    func monthCounts(_ months: [String]) async throws -> [(String, Int, Int, Int)] {
        let tz = timeZone
        var counts: [(String, Int, Int, Int)] = []
        for try await row in try await connection.query(
            """
            WITH bounds AS (
                SELECT month, month::timestamp AT TIME ZONE \(tz) AS since, (month + interval '1 month')::timestamp AT TIME ZONE \(tz) AS until
                FROM unnest(\(months)::date[]) AS month
            )
            SELECT b.month::text,
                (SELECT count(DISTINCT a.agent_id)::int FROM rdvs r JOIN rdv_agents a ON a.rdv_id = r.id
                 WHERE r.starts_at >= b.since AND r.starts_at < b.until AND r.status NOT IN ('excused', 'revoked')),
                (SELECT count(DISTINCT p.usager_id)::int FROM rdvs r JOIN rdv_participants p ON p.rdv_id = r.id
                 WHERE r.starts_at >= b.since AND r.starts_at < b.until AND p.status = 'seen'),
                (SELECT count(*)::int FROM rdvs r WHERE r.starts_at >= b.since AND r.starts_at < b.until)
            FROM bounds b WHERE EXISTS (SELECT 1 FROM rdvs r WHERE r.starts_at >= b.since AND r.starts_at < b.until)
            """
        ).decode((String, Int, Int, Int).self) {
            counts.append(row)
        }
        return counts
    }

    /// The snapshot the operator console shows: agents, usagers, appointments created and SMS
    /// segments sent this (local) month, the latest appointment event.
    func activity() async throws -> DepartementActivity.Counts {
        let tz = timeZone
        for try await (agents, usagers, rdvs, last, segments) in try await connection.query(
            """
            WITH month AS (SELECT date_trunc('month', now() AT TIME ZONE \(tz)) AT TIME ZONE \(tz) AS since)
            SELECT (SELECT count(*)::int FROM agents WHERE disabled_at IS NULL),
                   (SELECT count(*)::int FROM usagers),
                   (SELECT count(*)::int FROM rdvs, month WHERE created_at >= month.since),
                   (SELECT max(occurred_at) FROM rdv_events),
                   (SELECT coalesce(sum(coalesce(segments, 1)), 0)::int FROM messages, month WHERE channel = 'sms' AND sent_at >= month.since)
            """
        ).decode((Int, Int, Int, Date?, Int).self) {
            return .init(agents: agents, usagers: usagers, rdvsThisMonth: rdvs, lastActivityAt: last, smsSegmentsThisMonth: segments)
        }
        throw MissingReturnedRow("activity")
    }

    private func strings(_ query: PostgresQuery) async throws -> [String] {
        var values: [String] = []
        for try await value in try await connection.query(query).decode(String.self) { values.append(value) }
        return values
    }
}
