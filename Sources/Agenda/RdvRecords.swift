import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// An appointment with everything a partner's software reads of it.
public struct RdvRecord: Sendable, Hashable, Identifiable {
    public struct Participant: Sendable, Hashable {
        public let usagerID: UUID
        public let firstName: String
        public let lastName: String
        public let status: RdvStatus
    }

    public let id: UUID
    public let range: TimeRange
    public let status: RdvStatus
    public let motifID: UUID
    public let motifName: String
    public let organisationID: UUID
    public let lieuID: UUID?
    public let agentIDs: [UUID]
    public let participants: [Participant]
    public let capacity: Int?
    public let notes: String
    public let createdBy: String
    public let createdAt: Date
    /// Where the motif's confirmation request stands; nil when nothing was asked.
    public let confirmation: ConfirmationState?
}

/// Which appointments a listing returns, in the order (start, id), after `cursor`.
public struct RdvFilter: Sendable {
    public var from: Date?
    public var to: Date?
    public var organisationID: UUID?
    public var motifID: UUID?
    public var status: RdvStatus?
    public var agentID: UUID?
    public var lieuID: UUID?
    /// Who booked: "agent", "usager", "waiting_list", "api".
    public var createdBy: String?
    /// Past appointments whose outcome nobody has given yet (status unknown, ended before this).
    public var outcomeUnknownBefore: Date?
    /// The last appointment of the previous page.
    public var after: (start: Date, id: UUID)?
    public var limit = 50

    public init() {}
}

/// Appointments as records, for the API: one query per page, the agents and participants
/// gathered as arrays.
public struct RdvRecords: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    static let columns = """
        SELECT r.id, r.starts_at, r.ends_at, r.status, r.motif_id, m.name, m.organisation_id, r.lieu_id, r.capacity, r.notes,
               r.created_by, r.created_at,
               ARRAY(SELECT a.agent_id FROM rdv_agents a WHERE a.rdv_id = r.id ORDER BY a.agent_id),
               ARRAY(SELECT p.usager_id FROM rdv_participants p WHERE p.rdv_id = r.id ORDER BY p.created_at, p.usager_id),
               ARRAY(SELECT u.first_name FROM rdv_participants p JOIN usagers u ON u.id = p.usager_id WHERE p.rdv_id = r.id ORDER BY p.created_at, p.usager_id),
               ARRAY(SELECT u.last_name FROM rdv_participants p JOIN usagers u ON u.id = p.usager_id WHERE p.rdv_id = r.id ORDER BY p.created_at, p.usager_id),
               ARRAY(SELECT p.status FROM rdv_participants p WHERE p.rdv_id = r.id ORDER BY p.created_at, p.usager_id),
               r.confirmation
        FROM rdvs r JOIN motifs m ON m.id = r.motif_id
        """

    /// One appointment; with `lock`, its row stays locked to the end of the transaction (a write
    /// that checks the version the caller read).
    public func find(_ rdvID: UUID, lock: Bool = false) async throws -> RdvRecord? {
        try await records(try await connection.query(
            "\(unescaped: Self.columns) WHERE r.id = \(rdvID) \(unescaped: lock ? "FOR UPDATE OF r" : "")"
        )).first
    }

    /// A page of the appointments that have one of `visibleAgents` among their agents.
    public func list(_ filter: RdvFilter, visibleAgents: [UUID]) async throws -> [RdvRecord] {
        try await records(try await connection.query(Self.matching(filter, visibleAgents: visibleAgents, select: Self.columns, page: true)))
    }

    /// How many appointments the filter matches in all (its cursor and limit aside).
    public func count(_ filter: RdvFilter, visibleAgents: [UUID]) async throws -> Int {
        let query = Self.matching(filter, visibleAgents: visibleAgents, select: "SELECT count(*)::int FROM rdvs r JOIN motifs m ON m.id = r.motif_id", page: false)
        for try await count in try await connection.query(query).decode(Int.self) { return count }
        return 0
    }

    /// The appointments a filter matches, after `select` (which names `r` and `m`); with
    /// `page`, from the cursor on, in order, at most the limit.
    static func matching(_ filter: RdvFilter, visibleAgents: [UUID], select: String, page: Bool) -> PostgresQuery {
        let status = filter.status?.rawValue
        let after = page ? filter.after : nil
        return """
            \(unescaped: select)
            WHERE EXISTS (SELECT 1 FROM rdv_agents a WHERE a.rdv_id = r.id AND a.agent_id = ANY(\(visibleAgents))
                          AND (\(filter.agentID)::uuid IS NULL OR a.agent_id = \(filter.agentID)))
              AND (\(filter.from)::timestamptz IS NULL OR r.starts_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR r.starts_at < \(filter.to))
              AND (\(filter.organisationID)::uuid IS NULL OR m.organisation_id = \(filter.organisationID))
              AND (\(filter.motifID)::uuid IS NULL OR r.motif_id = \(filter.motifID))
              AND (\(status)::text IS NULL OR r.status = \(status))
              AND (\(filter.lieuID)::uuid IS NULL OR r.lieu_id = \(filter.lieuID))
              AND (\(filter.createdBy)::text IS NULL OR r.created_by = \(filter.createdBy))
              AND (\(filter.outcomeUnknownBefore)::timestamptz IS NULL OR (r.status = 'unknown' AND r.ends_at < \(filter.outcomeUnknownBefore)))
              AND (\(after?.start)::timestamptz IS NULL OR (r.starts_at, r.id) > (\(after?.start), \(after?.id)))
            \(unescaped: page ? "ORDER BY r.starts_at, r.id" : "") LIMIT \(page ? filter.limit : nil)
            """
    }

    private func records(_ rows: PostgresRowSequence) async throws -> [RdvRecord] {
        var records: [RdvRecord] = []
        for try await row in rows {
            let (id, start, end, status, motifID, motifName, organisationID, lieuID, capacity, notes, createdBy, createdAt,
                 agents, usagers, firsts, lasts, statuses, confirmation) = try row.decode(
                (UUID, Date, Date, String, UUID, String, UUID, UUID?, Int?, String, String, Date, [UUID], [UUID], [String], [String], [String], String?).self
            )
            let participants = usagers.indices.map {
                RdvRecord.Participant(usagerID: usagers[$0], firstName: firsts[$0], lastName: lasts[$0], status: RdvStatus(rawValue: statuses[$0]) ?? .unknown)
            }
            records.append(RdvRecord(
                id: id, range: TimeRange(start: start, end: end), status: RdvStatus(rawValue: status) ?? .unknown,
                motifID: motifID, motifName: motifName, organisationID: organisationID, lieuID: lieuID, agentIDs: agents,
                participants: participants, capacity: capacity, notes: notes, createdBy: createdBy, createdAt: createdAt,
                confirmation: confirmation.flatMap(ConfirmationState.init(rawValue:))
            ))
        }
        return records
    }
}
