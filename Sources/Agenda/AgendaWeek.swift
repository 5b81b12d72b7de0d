import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// An appointment as an agenda shows it.
public struct RdvSummary: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let range: TimeRange
    public let motifName: String
    public let lieuName: String?
    public let status: RdvStatus
    public let participants: [String]
    /// Where the motif's confirmation request stands; nil when nothing was asked.
    public let confirmation: ConfirmationState?
}

/// Appointments of an agent, and of the whole département for one appointment's page.
public struct RdvQueries: Sendable {
    let connection: TenantConnection

    /// What every summary reads: the appointment, its motif and lieu, its participants' names.
    static let summaryColumns = """
        SELECT r.id, r.starts_at, r.ends_at, m.name, l.name, r.status,
               coalesce(array_agg(u.first_name || ' ' || u.last_name ORDER BY u.last_name) FILTER (WHERE u.id IS NOT NULL), '{}'),
               r.confirmation
        """
    static let summaryJoins = """
        JOIN motifs m ON m.id = r.motif_id
        LEFT JOIN lieux l ON l.id = r.lieu_id
        LEFT JOIN rdv_participants p ON p.rdv_id = r.id
        LEFT JOIN usagers u ON u.id = p.usager_id
        """

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Appointments of `agentID` overlapping `range` (cancelled ones included, they show struck out).
    /// `ra.during` is the appointment's span as every write keeps it: testing it too lets the
    /// index on (agent_id, during) find the week instead of reading the agent's whole history.
    /// Closed bounds make that test never drop an appointment the exact test on `rdvs` keeps.
    public func of(agentID: UUID, in range: TimeRange) async throws -> [RdvSummary] {
        try await summaries(
            """
            \(unescaped: Self.summaryColumns)
            FROM rdvs r
            JOIN rdv_agents ra ON ra.rdv_id = r.id AND ra.agent_id = \(agentID)
              AND ra.during && tstzrange(\(range.start), \(range.end), '[]')
            \(unescaped: Self.summaryJoins)
            WHERE r.starts_at < \(range.end) AND r.ends_at > \(range.start)
            GROUP BY r.id, m.name, l.name ORDER BY r.starts_at
            """
        )
    }

    /// Past appointments of `agentID` nobody has said the outcome of yet.
    public func awaitingOutcome(agentID: UUID, before now: Date) async throws -> [RdvSummary] {
        try await summaries(
            """
            \(unescaped: Self.summaryColumns)
            FROM rdvs r
            JOIN rdv_agents ra ON ra.rdv_id = r.id AND ra.agent_id = \(agentID)
            \(unescaped: Self.summaryJoins)
            WHERE r.status = 'unknown' AND r.ends_at < \(now)
            GROUP BY r.id, m.name, l.name ORDER BY r.starts_at DESC LIMIT 200
            """
        )
    }

    /// Appointments of some usagers (one and their relatives), latest first.
    public func of(usagerIDs: [UUID]) async throws -> [RdvSummary] {
        try await summaries(
            """
            \(unescaped: Self.summaryColumns)
            FROM rdvs r
            \(unescaped: Self.summaryJoins)
            WHERE r.id IN (SELECT rdv_id FROM rdv_participants WHERE usager_id = ANY(\(usagerIDs)))
            GROUP BY r.id, m.name, l.name ORDER BY r.starts_at DESC LIMIT 200
            """
        )
    }

    /// Who booked an appointment: "agent", "usager"…, the partner (prescripteur) who did it
    /// for the usager, as "name, organisation, contact", and the API token's name.
    public func origin(_ rdvID: UUID) async throws -> (createdBy: String, prescripteur: String?, apiToken: String?)? {
        for try await (createdBy, name, organisation, contact, token) in try await connection.query(
            """
            SELECT r.created_by, r.prescripteur->>'name', r.prescripteur->>'organisation', r.prescripteur->>'contact', t.name
            FROM rdvs r LEFT JOIN api_tokens t ON t.id = r.created_by_api_token_id WHERE r.id = \(rdvID)
            """
        ).decode((String, String?, String?, String?, String?).self) {
            let prescripteur = name.map { [$0, organisation, contact].compactMap { $0 }.joined(separator: ", ") }
            return (createdBy, prescripteur, token)
        }
        return nil
    }

    /// Seats of a collective appointment: (taken, capacity); nil for an individual one.
    public func seats(_ rdvID: UUID) async throws -> (taken: Int, capacity: Int)? {
        for try await (capacity, taken) in try await connection.query(
            """
            SELECT r.capacity, (SELECT count(*)::int FROM rdv_participants p WHERE p.rdv_id = r.id AND p.status NOT IN ('excused', 'revoked'))
            FROM rdvs r WHERE r.id = \(rdvID)
            """
        ).decode((Int?, Int).self) {
            return capacity.map { (taken, $0) }
        }
        return nil
    }

    public func find(_ rdvID: UUID) async throws -> (summary: RdvSummary, agentIDs: [UUID], notes: String)? {
        guard let summary = try await summaries(
            """
            \(unescaped: Self.summaryColumns)
            FROM rdvs r
            \(unescaped: Self.summaryJoins)
            WHERE r.id = \(rdvID) GROUP BY r.id, m.name, l.name
            """
        ).first else { return nil }
        var agents: [UUID] = []
        for try await id in try await connection.query("SELECT agent_id FROM rdv_agents WHERE rdv_id = \(rdvID)").decode(UUID.self) {
            agents.append(id)
        }
        var notes = ""
        for try await text in try await connection.query("SELECT notes FROM rdvs WHERE id = \(rdvID)").decode(String.self) { notes = text }
        return (summary, agents, notes)
    }

    private func summaries(_ query: PostgresQuery) async throws -> [RdvSummary] {
        var result: [RdvSummary] = []
        for try await (id, start, end, motif, lieu, status, people, confirmation) in try await connection.query(query).decode(
            (UUID, Date, Date, String, String?, String, [String], String?).self
        ) {
            result.append(RdvSummary(
                id: id, range: TimeRange(start: start, end: end), motifName: motif, lieuName: lieu,
                status: RdvStatus(rawValue: status) ?? .unknown, participants: people,
                confirmation: confirmation.flatMap(ConfirmationState.init(rawValue:))
            ))
        }
        return result
    }
}
