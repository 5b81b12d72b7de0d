import Foundation
import PostgresNIO
import Tenancy

/// Whether reminders and easy cancellation work, per motif: the no-show rate of past
/// appointments with and without a reminder that left, and how often a slot cancelled by its
/// usager was booked again; for motifs that ask for a confirmation, the no-show rate of
/// confirmed and unanswered appointments, and the slots given back by a "no" or a release.
/// Counts only: the consortium's statistics aggregate them.
public struct NoShowReport: Sendable {
    public struct Line: Sendable, Hashable {
        public let motif: String
        public let reminded: Int
        public let remindedNoShows: Int
        public let notReminded: Int
        public let notRemindedNoShows: Int
        public let cancelledByUsager: Int
        public let rebooked: Int
        /// Past appointments whose person confirmed, and how many of them did not come anyway.
        public var confirmed = 0, confirmedNoShows = 0
        /// Past appointments left without an answer to the request (flagged, reminded or warned).
        public var unanswered = 0, unansweredNoShows = 0
        /// Slots given back by a "no" to the request, and by a release after the warning.
        public var declined = 0, released = 0

        public static func rate(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "—" : "\(Int((Double(part) * 100 / Double(whole)).rounded())) %"
        }
    }

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func lines(now: Date = Date()) async throws -> [Line] {
        var lines: [String: (Int, Int, Int, Int, Int, Int)] = [:]
        for try await (motif, reminded, remindedNoShows, notReminded, notRemindedNoShows) in try await connection.query(
            """
            WITH past AS (
                SELECT r.motif_id, r.status, EXISTS (
                    SELECT 1 FROM messages m WHERE m.rdv_id = r.id AND m.kind = 'reminder' AND m.state IN ('sent', 'delivered')
                ) AS reminded
                FROM rdvs r WHERE r.ends_at < \(now) AND r.status IN ('seen', 'noshow')
            )
            SELECT m.name, count(*) FILTER (WHERE reminded)::int, count(*) FILTER (WHERE reminded AND status = 'noshow')::int,
                   count(*) FILTER (WHERE NOT reminded)::int, count(*) FILTER (WHERE NOT reminded AND status = 'noshow')::int
            FROM past JOIN motifs m ON m.id = past.motif_id GROUP BY m.name
            """
        ).decode((String, Int, Int, Int, Int).self) {
            lines[motif] = (reminded, remindedNoShows, notReminded, notRemindedNoShows, 0, 0)
        }
        for try await (motif, cancelled, rebooked) in try await connection.query(
            """
            SELECT m.name, count(*)::int, count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM rdv_agents freed JOIN rdv_agents other ON other.agent_id = freed.agent_id AND other.during && freed.during
                WHERE freed.rdv_id = c.id AND other.rdv_id <> c.id AND other.active
            ))::int
            FROM rdvs c JOIN motifs m ON m.id = c.motif_id WHERE c.status = 'excused' GROUP BY m.name
            """
        ).decode((String, Int, Int).self) {
            let current = lines[motif] ?? (0, 0, 0, 0, 0, 0)
            lines[motif] = (current.0, current.1, current.2, current.3, cancelled, rebooked)
        }
        var confirmations: [String: [Int]] = [:]
        for try await (motif, confirmed, confirmedNoShows, unanswered, unansweredNoShows, declined, released) in try await connection.query(
            """
            SELECT m.name,
                   count(*) FILTER (WHERE r.confirmation = 'confirmed' AND r.status IN ('seen', 'noshow') AND r.ends_at < \(now))::int,
                   count(*) FILTER (WHERE r.confirmation = 'confirmed' AND r.status = 'noshow' AND r.ends_at < \(now))::int,
                   count(*) FILTER (WHERE r.confirmation IN ('unanswered', 'warned') AND r.status IN ('seen', 'noshow') AND r.ends_at < \(now))::int,
                   count(*) FILTER (WHERE r.confirmation IN ('unanswered', 'warned') AND r.status = 'noshow' AND r.ends_at < \(now))::int,
                   count(*) FILTER (WHERE r.confirmation = 'declined')::int, count(*) FILTER (WHERE r.confirmation = 'released')::int
            FROM rdvs r JOIN motifs m ON m.id = r.motif_id
            WHERE r.confirmation IN ('confirmed', 'unanswered', 'warned', 'declined', 'released') GROUP BY m.name
            """
        ).decode((String, Int, Int, Int, Int, Int, Int).self) {
            confirmations[motif] = [confirmed, confirmedNoShows, unanswered, unansweredNoShows, declined, released]
            if lines[motif] == nil { lines[motif] = (0, 0, 0, 0, 0, 0) }
        }
        return lines.keys.sorted().map { name in
            let l = lines[name]!
            var line = Line(motif: name, reminded: l.0, remindedNoShows: l.1, notReminded: l.2, notRemindedNoShows: l.3, cancelledByUsager: l.4, rebooked: l.5)
            if let c = confirmations[name] {
                (line.confirmed, line.confirmedNoShows, line.unanswered, line.unansweredNoShows, line.declined, line.released) = (c[0], c[1], c[2], c[3], c[4], c[5])
            }
            return line
        }
    }
}
