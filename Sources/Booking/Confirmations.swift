import Agenda
import Foundation
import Notifications
import PostgresNIO
import Tenancy

/// Confirm or release: the person's answer to a confirmation request, and what happens when
/// nobody answers by the motif's deadline. Pages, the API and the worker share these rules.
public struct Confirmations: Sendable {
    let connection: TenantConnection
    let tenant: Tenant
    let links: NoticeLinks
    let now: Date

    public init(_ connection: TenantConnection, tenant: Tenant, links: NoticeLinks, now: Date = Date()) {
        self.connection = connection
        self.tenant = tenant
        self.links = links
        self.now = now
    }

    /// How an answer went.
    public enum Outcome: Sendable, Equatable {
        /// The appointment stands and is confirmed (answering twice changes nothing).
        case confirmed
        /// The appointment is cancelled and its time offered to the waiting list.
        case declined
        /// Too late or no longer possible: it has begun, or it was cancelled meanwhile.
        case closed(RdvStatus)
    }

    /// What the answer pages show before the person clicks.
    public func appointment(_ rdvID: UUID) async throws -> (rdv: PublicRdv, state: ConfirmationState?)? {
        guard let rdv = try await PublicRdvRepository(connection).find(rdvID) else { return nil }
        return (rdv, try await state(of: rdvID, lock: false))
    }

    /// The person answers from a request's link, without signing in: a "no" ignores the
    /// motif's online cancellation deadline (the request asked for it), a "yes" may come after
    /// the deadline, even after a warning, as long as the appointment stands.
    public func answer(_ answer: NoticeLinks.Answer, rdvID: UUID) async throws -> Outcome {
        _ = try await state(of: rdvID, lock: true)
        guard let rdv = try await PublicRdvRepository(connection).find(rdvID) else { throw BookingError.rdvNotFound }
        guard rdv.status == .unknown, rdv.start > now else { return .closed(rdv.status) }
        try await withdrawRequests(rdvID)
        switch answer {
        case .confirm:
            try await set(rdvID, .confirmed)
            return .confirmed
        case .decline:
            try await Cancellations(connection, tenant: tenant, links: links, now: now).cancelByUsager(rdv)
            try await set(rdvID, .declined)
            return .declined
        }
    }

    /// What one deadline pass did.
    public struct PassCounts: Sendable, Equatable {
        public var flagged = 0, reminded = 0, warned = 0, released = 0

        public init() {}
    }

    /// The appointments whose answer is overdue, each as its motif says: flagged, reminded
    /// once more, or warned and then released. A release needs the département's consent, a
    /// motif that is not sensitive (or says otherwise), a message that reached a channel, and
    /// time left after the warning; short of that, the last request goes instead.
    public func passDeadlines(limit: Int = 500) async throws -> PassCounts {
        var counts = PassCounts()
        let releaseAllowed = try await NotificationSettings.load(connection).confirmationReleaseAllowed
        for due in try await overdue(limit: limit) {
            // Looked at again under lock: an answer may have come meanwhile.
            guard try await state(of: due.rdvID, lock: true) == due.state else { continue }
            let notices = AppointmentNotices(connection, tenant: tenant, links: links)
            switch due.state {
            case .warned:
                guard let rdv = try await PublicRdvRepository(connection).find(due.rdvID) else { continue }
                try await Cancellations(connection, tenant: tenant, links: links, now: now).release(rdv)
                try await set(due.rdvID, .released)
                counts.released += 1
            default:
                let clock = tenant.clock
                let leaves = ReminderPlanner.daytime(now, clock: clock), releaseAt = leaves.addingTimeInterval(Self.warningNotice)
                let mayRelease = due.action == .release && releaseAllowed && (!due.sensitive || due.releaseSensitive) && releaseAt < due.start
                if mayRelease, try await notices.requestConfirmation(.warning(releaseAt: releaseAt), rdvID: due.rdvID, now: leaves) {
                    try await set(due.rdvID, .warned, releaseAt: releaseAt)
                    counts.warned += 1
                } else if due.action != .flag, try await notices.requestConfirmation(.last, rdvID: due.rdvID, now: now) {
                    try await set(due.rdvID, .unanswered)
                    counts.reminded += 1
                } else {
                    try await set(due.rdvID, .unanswered)
                    counts.flagged += 1
                }
            }
        }
        return counts
    }

    /// The time a warned person keeps to answer before the slot goes.
    public static let warningNotice: TimeInterval = 2 * 3600

    struct Due {
        let rdvID: UUID
        let start: Date
        let state: ConfirmationState
        let action: UnconfirmedAction
        let sensitive: Bool
        let releaseSensitive: Bool
    }

    func overdue(limit: Int) async throws -> [Due] {
        var due: [Due] = []
        for try await (id, start, state, action, sensitive, releaseSensitive) in try await connection.query(
            """
            SELECT r.id, r.starts_at, r.confirmation, m.unconfirmed_action, m.sensitive, m.release_sensitive
            FROM rdvs r JOIN motifs m ON m.id = r.motif_id
            WHERE r.confirmation IN ('awaiting', 'warned') AND r.status = 'unknown' AND r.starts_at > \(now)
              AND CASE r.confirmation
                  WHEN 'warned' THEN r.confirmation_release_at <= \(now)
                  ELSE r.starts_at - make_interval(hours => m.confirmation_deadline_hours) <= \(now) END
            ORDER BY r.starts_at LIMIT \(limit)
            """
        ).decode((UUID, Date, String, String, Bool, Bool).self) {
            guard let state = ConfirmationState(rawValue: state) else { continue }
            due.append(Due(rdvID: id, start: start, state: state, action: UnconfirmedAction(rawValue: action) ?? .flag, sensitive: sensitive, releaseSensitive: releaseSensitive))
        }
        return due
    }

    func state(of rdvID: UUID, lock: Bool) async throws -> ConfirmationState? {
        let rows = lock
            ? try await connection.query("SELECT confirmation FROM rdvs WHERE id = \(rdvID) FOR UPDATE")
            : try await connection.query("SELECT confirmation FROM rdvs WHERE id = \(rdvID)")
        for try await state in rows.decode(String?.self) { return state.flatMap(ConfirmationState.init(rawValue:)) }
        return nil
    }

    func set(_ rdvID: UUID, _ state: ConfirmationState, releaseAt: Date? = nil) async throws {
        try await connection.query(
            """
            UPDATE rdvs SET confirmation = \(state.rawValue), confirmation_changed_at = \(now), confirmation_release_at = \(releaseAt)
            WHERE id = \(rdvID)
            """
        )
        try await RdvRepository(connection).record(rdvID, "confirmation:\(state.rawValue)", agent: nil)
    }

    /// Requests not sent yet have nothing left to ask once the person answered.
    func withdrawRequests(_ rdvID: UUID) async throws {
        try await connection.query(
            """
            UPDATE messages SET state = 'cancelled', locked_until = NULL
            WHERE rdv_id = \(rdvID) AND kind = 'confirmation_request' AND state IN ('queued', 'sending')
            """
        )
    }
}
