import Agenda
import Crypto
import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// The body of an agent's feed and the ETag that names it.
public struct CalendarFeedDocument: Sendable {
    public let body: String
    /// A strong validator: the SHA-256 of the body, quoted.
    public let etag: String

    init(body: String) {
        self.body = body
        etag = "\"" + SHA256.hash(data: Data(body.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }
}

/// What a calendar application subscribed to an agent's secret address receives: their
/// appointments from 30 days back to a year ahead (cancelled ones marked so, for calendars to
/// remove them), their absences as busy times and their plages d'ouverture as free times. Times are in UTC, so no VTIMEZONE is needed,
/// overseas départements included. Appointments carry the UID and SEQUENCE of their invitations.
/// Usagers' names appear only when the agent chose so; a sensitive motif's name never does.
public struct AgentCalendarFeed: Sendable {
    let connection: TenantConnection
    let tenant: Tenant
    /// The département's public address, for links to the appointments' pages.
    let publicURL: String

    public static let pastDays = 30
    public static let futureDays = 365

    public init(_ connection: TenantConnection, tenant: Tenant, publicURL: String) {
        self.connection = connection
        self.tenant = tenant
        self.publicURL = publicURL
    }

    /// The feed of `token`, marked as used; nil for an unknown or revoked token, or a deactivated agent.
    public func document(token: String, now: Date = Date()) async throws -> CalendarFeedDocument? {
        guard let owner = try await CalendarFeedRepository(connection).use(token: token) else { return nil }
        let window = TimeRange(start: now.addingTimeInterval(-Double(Self.pastDays) * 86_400), end: now.addingTimeInterval(Double(Self.futureDays) * 86_400))
        let rdvs = try await FeedRdv.of(agentID: owner.agentID, in: window, connection)
        let sequences = try await AppointmentSequences(connection).of(rdvs.map(\.id))
        var events = rdvs.map { $0.event(sequence: sequences[$0.id] ?? 0, names: owner.includesUsagerNames, tenant: tenant, publicURL: publicURL) }
        events += try await absences(of: owner.agentID, in: window)
        events += try await plages(of: owner.agentID, in: window)
        events.sort { ($0.start, $0.uid) < ($1.start, $1.uid) }
        let header = [
            "METHOD:PUBLISH", "X-WR-CALNAME:\(CalendarEvent.escape("Mes rendez-vous – \(tenant.name)"))",
            "X-WR-CALDESC:\(CalendarEvent.escape("Rendez-vous, absences et plages d’ouverture de votre agenda RDV Solidarités"))",
            "X-WR-TIMEZONE:\(tenant.timeZone)", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
        ]
        return CalendarFeedDocument(body: CalendarEvent.document(header, events: events, now: now))
    }

    /// Each occurrence of the agent's absences in the window, as a busy event named "Absence"
    /// (an absence's own title may say why: it stays on the agenda). An occurrence's UID names
    /// its start: a moved occurrence is another event, which a subscribed calendar replaces.
    func absences(of agentID: UUID, in window: TimeRange) async throws -> [CalendarEvent] {
        var created: [UUID: Date] = [:]
        for try await (id, at) in try await connection.query(
            "SELECT id, created_at FROM absences WHERE agent_id = \(agentID)"
        ).decode((UUID, Date).self) { created[id] = at }
        let clock = tenant.clock
        let days = clock.localDate(of: window.start)...clock.localDate(of: window.end)
        var events: [CalendarEvent] = []
        for absence in try await AbsenceRepository(connection).of(agentID: agentID) {
            for occurrence in absence.span.occurrences(in: days, clock: clock) where occurrence.overlaps(window) {
                var event = CalendarEvent(
                    uid: "absence-\(absence.id.uuidString.lowercased())-\(CalendarEvent.utc(occurrence.start))@\(tenant.slug)", start: occurrence.start, end: occurrence.end,
                    summary: "Absence", location: "", description: ""
                )
                event.stamp = created[absence.id]
                events.append(event)
            }
        }
        return events
    }

    /// Each occurrence of the agent's plages d'ouverture in the window, as free time at its lieu.
    func plages(of agentID: UUID, in window: TimeRange) async throws -> [CalendarEvent] {
        let plages = try await PlageRepository(connection).of(agentID: agentID)
        var lieux: [UUID: (String, Date)] = [:]
        for try await (id, name, created) in try await connection.query(
            """
            SELECT p.id, l.name, p.created_at FROM plages_ouverture p JOIN lieux l ON l.id = p.lieu_id WHERE p.agent_id = \(agentID)
            """
        ).decode((UUID, String, Date).self) { lieux[id] = (name, created) }
        let clock = tenant.clock
        let days = clock.localDate(of: window.start)...clock.localDate(of: window.end)
        var events: [CalendarEvent] = []
        for plage in plages {
            let (lieu, created) = lieux[plage.id] ?? ("", window.start)
            for occurrence in plage.span.occurrences(in: days, clock: clock) where occurrence.overlaps(window) {
                var event = CalendarEvent(
                    uid: "plage-\(plage.id.uuidString.lowercased())-\(CalendarEvent.utc(occurrence.start))@\(tenant.slug)", start: occurrence.start, end: occurrence.end,
                    summary: lieu.isEmpty ? "Plage d’ouverture" : "Plage d’ouverture – \(lieu)", location: lieu, description: ""
                )
                event.stamp = created
                event.busy = false
                events.append(event)
            }
        }
        return events
    }
}

/// One appointment of the agent, as the feed reads it.
struct FeedRdv: Sendable {
    let id: UUID
    let start: Date
    let end: Date
    let status: RdvStatus
    let updatedAt: Date
    let capacity: Int?
    let motifName: String
    let sensitive: Bool
    let place: String
    /// Those who hold a seat (all of them once the appointment is cancelled).
    let participants: [String]

    static func of(agentID: UUID, in window: TimeRange, _ connection: TenantConnection) async throws -> [FeedRdv] {
        // `ra.during` as in the agenda's query: the index on (agent_id, during) finds the window.
        let rows = try await connection.query(
            """
            SELECT r.id, r.starts_at, r.ends_at, r.status, r.updated_at, r.capacity, m.name, m.sensitive,
                   concat_ws(', ', nullif(l.name, ''), nullif(l.address, '')),
                   coalesce(array_agg(u.first_name || ' ' || u.last_name ORDER BY u.last_name, u.first_name)
                            FILTER (WHERE u.id IS NOT NULL AND (p.status NOT IN ('excused', 'revoked') OR r.status IN ('excused', 'revoked'))), '{}')
            FROM rdvs r
            JOIN rdv_agents ra ON ra.rdv_id = r.id AND ra.agent_id = \(agentID) AND ra.during && tstzrange(\(window.start), \(window.end), '[]')
            JOIN motifs m ON m.id = r.motif_id
            LEFT JOIN lieux l ON l.id = r.lieu_id
            LEFT JOIN rdv_participants p ON p.rdv_id = r.id
            LEFT JOIN usagers u ON u.id = p.usager_id
            WHERE r.starts_at < \(window.end) AND r.ends_at > \(window.start)
            GROUP BY r.id, m.name, m.sensitive, l.name, l.address ORDER BY r.starts_at
            """
        )
        var result: [FeedRdv] = []
        for try await (id, start, end, status, updated, capacity, motif, sensitive, place, people) in rows.decode(
            (UUID, Date, Date, String, Date, Int?, String, Bool, String, [String]).self
        ) {
            result.append(FeedRdv(
                id: id, start: start, end: end, status: RdvStatus(rawValue: status) ?? .unknown, updatedAt: updated, capacity: capacity,
                motifName: motif, sensitive: sensitive, place: place, participants: people
            ))
        }
        return result
    }

    /// "RDV – motif" (just "RDV" for a sensitive motif), then the names when the agent asked for them.
    func event(sequence: Int, names: Bool, tenant: Tenant, publicURL: String) -> CalendarEvent {
        var summary = sensitive ? "RDV" : "RDV – \(motifName)"
        var lines: [String] = []
        if names, !participants.isEmpty {
            summary += " – " + participants.joined(separator: ", ")
            lines.append("Usagers : " + participants.joined(separator: ", "))
        }
        if let capacity {
            lines.append("Rendez-vous collectif : \(participants.count) \(participants.count > 1 ? "participants" : "participant") sur \(capacity) places")
        }
        if !status.holdsTime { lines.append(status.frenchName) }
        let link = "\(publicURL)/rdv/\(id.uuidString.lowercased())"
        lines.append("Détails (connexion requise) : \(link)")
        var event = CalendarEvent(
            uid: CalendarEvent.appointmentUID(id, tenantSlug: tenant.slug), sequence: sequence, start: start, end: end,
            summary: summary, location: place, description: lines.joined(separator: "\n"), url: link
        )
        event.cancelled = !status.holdsTime
        event.stamp = updatedAt
        return event
    }
}
