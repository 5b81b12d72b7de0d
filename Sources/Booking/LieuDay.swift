import Agenda
import Foundation
import Identity
import PostgresNIO
import Scheduling
import Tenancy

/// One appointment of a lieu's day, as the reception desk sees it.
public struct LieuDayLine: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let range: TimeRange
    public let motifName: String
    public let agentNames: [String]
    public let people: [String]
    public let status: RdvStatus
    public let confirmation: ConfirmationState?
    /// When the desk marked the person arrived (waiting to be received).
    public let arrivedAt: Date?
    public let collective: Bool
    /// The acting agent may set its outcome (they may change one of its agents' agendas).
    public let editable: Bool
}

extension AgentAppointments {
    /// Every appointment of one lieu on one day, across the agents whose agendas this agent may
    /// read, in time order: the reception desk's morning. `BookingError.rdvNotFound` for a lieu
    /// that is not this département's.
    public func day(atLieu lieuID: UUID, _ day: LocalDate) async throws -> (lieu: Lieu, lines: [LieuDayLine]) {
        guard let lieu = try await AgendaCatalog(connection).lieux(includingDisabled: true).first(where: { $0.id == lieuID }) else {
            throw BookingError.rdvNotFound
        }
        let clock = tenant.clock
        let actor = try await actor()
        let services = try await AgendaCatalog(connection).serviceIDsByAgent()
        var readable = Set<UUID>(), writable = Set<UUID>()
        for other in try await AgentRepository(connection).all(in: nil) {
            let target = AgentReference(agentID: other.id, organisationID: other.organisationID, serviceIDs: services[other.id] ?? [])
            if Policy.can(actor, .viewAgenda(target)) { readable.insert(other.id) }
            if Policy.can(actor, .editAgenda(target)) { writable.insert(other.id) }
        }
        var lines: [LieuDayLine] = []
        for try await row in try await connection.query(
            """
            SELECT r.id, r.starts_at, r.ends_at, m.name, r.status, r.confirmation, r.arrived_at, r.capacity IS NOT NULL,
                   ARRAY(SELECT ra.agent_id FROM rdv_agents ra WHERE ra.rdv_id = r.id ORDER BY ra.agent_id),
                   ARRAY(SELECT a.first_name || ' ' || a.last_name FROM rdv_agents ra JOIN agents a ON a.id = ra.agent_id WHERE ra.rdv_id = r.id ORDER BY ra.agent_id),
                   ARRAY(SELECT u.first_name || ' ' || u.last_name FROM rdv_participants p JOIN usagers u ON u.id = p.usager_id
                         WHERE p.rdv_id = r.id ORDER BY p.created_at, p.usager_id)
            FROM rdvs r JOIN motifs m ON m.id = r.motif_id
            WHERE r.lieu_id = \(lieuID) AND r.starts_at >= \(clock.instant(day, LocalTime(minutes: 0)!))
              AND r.starts_at < \(clock.instant(day.adding(days: 1), LocalTime(minutes: 0)!))
            ORDER BY r.starts_at, r.id
            """
        ).decode((UUID, Date, Date, String, String, String?, Date?, Bool, [UUID], [String], [String]).self) {
            let (id, start, end, motif, status, confirmation, arrived, collective, agentIDs, agentNames, people) = row
            guard agentIDs.contains(where: readable.contains) else { continue }
            lines.append(LieuDayLine(
                id: id, range: TimeRange(start: start, end: end), motifName: motif, agentNames: agentNames, people: people,
                status: RdvStatus(rawValue: status) ?? .unknown, confirmation: confirmation.flatMap(ConfirmationState.init(rawValue:)),
                arrivedAt: arrived, collective: collective, editable: agentIDs.contains(where: writable.contains)
            ))
        }
        return (lieu, lines)
    }

    /// The person is here and waits: marked once (a second click keeps the first time), only
    /// for an appointment still to come or under way.
    public func markArrived(_ rdvID: UUID) async throws {
        try await requireAccess(to: rdvID, edit: true)
        var marked = false
        for try await _ in try await connection.query(
            "UPDATE rdvs SET arrived_at = \(now), updated_at = now() WHERE id = \(rdvID) AND status = 'unknown' AND arrived_at IS NULL RETURNING id"
        ) { marked = true }
        if marked { try await RdvRepository(connection).record(rdvID, "arrived", agent: agent.id) }
    }
}
