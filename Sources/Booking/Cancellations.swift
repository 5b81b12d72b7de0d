import Agenda
import Foundation
import Notifications
import Tenancy

/// Cancelling an appointment, for every path that does it: an agent's status change, the
/// usager's link, a waiting-list offer that replaces a later appointment. In the caller's
/// transaction, the usager is told (and their reminders dropped), and a coming time goes to the
/// waiting list at once: the slot is given back, which is why the platform exists.
public struct Cancellations: Sendable {
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

    /// An agent sets an appointment's status; a coming appointment that stops holding its time
    /// (revoked, excused) is a cancellation.
    public func setStatus(_ rdvID: UUID, to status: RdvStatus, byAgent agentID: UUID) async throws {
        let before = try await RdvQueries(connection).find(rdvID)?.summary.status
        try await RdvRepository(connection).setStatus(rdvID, to: status, byAgent: agentID)
        guard before?.holdsTime == true, !status.holdsTime else { return }
        try await notices.record(.cancelled, rdvID: rdvID, byUsager: false, actingAgentID: agentID)
        if let freed = try await PublicRdvRepository(connection).find(rdvID) { try await offer(freed) }
    }

    /// An appointment nobody confirmed after the warning: cancelled by the service, the person
    /// told why, and the time offered to the waiting list.
    func release(_ rdv: PublicRdv) async throws {
        try await RdvRepository(connection).setStatus(rdv.id, to: .revoked, byAgent: nil)
        try await notices.record(.released, rdvID: rdv.id, byUsager: false, now: now)
        try await offer(rdv)
    }

    /// The usager cancels from their link (a collective session: their seat only).
    func cancelByUsager(_ rdv: PublicRdv) async throws {
        try await PublicRdvRepository(connection).cancel(rdv)
        try await notices.record(.cancelled, rdvID: rdv.id, byUsager: true)
        try await offer(rdv)
    }

    /// A waiting-list offer taken: the slot booked, the person's later appointment cancelled,
    /// and that later time offered to others in turn. Throws `BookingError.slotTaken` when
    /// someone was quicker (nothing changes then).
    public func takeOffer(_ offer: WaitingOffer) async throws -> UUID {
        let rdvID = try await WaitingList(connection, tenant: tenant).take(offer, now: now)
        if let later = offer.laterRDV { try await notices.record(.cancelled, rdvID: later, byUsager: true) }
        try await notices.record(.booked, rdvID: rdvID, byUsager: true)
        if let later = offer.laterRDV, let freed = try await PublicRdvRepository(connection).find(later) { try await self.offer(freed) }
        return rdvID
    }

    /// A freed coming time with a place goes to the waiting list.
    private func offer(_ freed: PublicRdv) async throws {
        guard let lieu = freed.lieuID, freed.start > now else { return }
        try await WaitingList(connection, tenant: tenant).slotFreed(motifID: freed.motifID, lieuID: lieu, start: freed.start, now: now, publicURL: links.publicURL)
    }

    private var notices: AppointmentNotices { AppointmentNotices(connection, tenant: tenant, links: links) }
}
