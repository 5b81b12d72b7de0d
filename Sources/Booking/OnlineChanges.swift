import Agenda
import Foundation
import Notifications
import Scheduling
import Tenancy

/// Why the usager's link refuses a change.
public enum OnlineChangeError: DomainError, Equatable {
    /// Past the motif's cancellation deadline, or a motif the usager may not cancel online.
    case cancellationClosed
    /// Past the move deadline, a collective session, or a motif not movable online.
    case moveClosed
    /// The waiting list is for appointments more than a week away.
    case waitingListClosed

    public var refusal: Refusal { .conflict }

    public var title: String {
        switch self {
        case .cancellationClosed: "Annulation impossible en ligne"
        case .moveClosed: "Déplacement impossible en ligne"
        case .waitingListClosed: "Liste d’attente fermée"
        }
    }

    public var french: String {
        switch self {
        case .cancellationClosed: "Ce rendez-vous ne peut plus être annulé en ligne."
        case .moveClosed: "Ce rendez-vous ne peut plus être déplacé en ligne."
        case .waitingListClosed: "La liste d’attente sert aux rendez-vous à plus d’une semaine."
        }
    }
}

/// What the usager may still do from their link at a given time, under the motif's rules:
/// one reading for the page that offers an action and for the action itself.
public struct OnlineChangeRights: Sendable, Equatable {
    /// Still to come and not cancelled.
    public let coming: Bool
    public let mayCancel: Bool
    /// Within the move rules; the motif may still be archived (then no slot is offered).
    public let withinMoveRules: Bool
    public let mayMove: Bool
    public let mayWait: Bool

    /// How far ahead an appointment must be for its holder to wait for an earlier one.
    public static let waitingListLead: TimeInterval = 7 * 86_400

    public init(_ rdv: PublicRdv, rules: MotifRules, motifArchived: Bool, now: Date) {
        let ahead = rdv.start.timeIntervalSince(now)
        coming = rdv.status == .unknown && ahead > 0
        mayCancel = coming && rules.cancellableByUsager && ahead > TimeInterval(rules.cancellationDeadlineMinutes * 60)
        withinMoveRules = coming && !rdv.collective && rules.movableByUsager && ahead > TimeInterval(rules.moveDeadlineMinutes * 60)
        mayMove = withinMoveRules && !motifArchived
        mayWait = coming && !motifArchived && ahead > Self.waitingListLead
    }
}

/// The usager's changes to one appointment from its link: cancel, move, wait for an earlier
/// slot. Each in the caller's transaction, its rights read from the motif there.
public struct OnlineChanges: Sendable {
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

    /// The appointment's motif rules, whether the motif is archived, and the rights they give now.
    public func rights(of rdv: PublicRdv) async throws -> (rules: MotifRules, archived: Bool, rights: OnlineChangeRights) {
        guard let motif = try await MotifRepository(connection).find(rdv.motifID) else { throw BookingError.rdvNotFound }
        return (motif.rules, motif.archived, OnlineChangeRights(rdv, rules: motif.rules, motifArchived: motif.archived, now: now))
    }

    public func cancel(_ rdv: PublicRdv) async throws {
        guard try await rights(of: rdv).rights.mayCancel else { throw OnlineChangeError.cancellationClosed }
        try await Cancellations(connection, tenant: tenant, links: links, now: now).cancelByUsager(rdv)
    }

    /// Moves to `start`, which must be a time the slot engine offers for the same agents and lieu.
    public func move(_ rdv: PublicRdv, to start: Date) async throws {
        guard try await rights(of: rdv).rights.mayMove else { throw OnlineChangeError.moveClosed }
        let free = try await SlotSearch(connection, tenant: tenant).slots(motifID: rdv.motifID, now: now, within: 42, agents: Set(rdv.agentIDs), lieu: rdv.lieuID)
        guard free.contains(where: { $0.range.start == start }) else { throw BookingError.slotTaken }
        try await RdvRepository(connection).move(rdv.id, to: start, byAgent: nil)
        try await AppointmentNotices(connection, tenant: tenant, links: links).record(.moved, rdvID: rdv.id, byUsager: true)
    }

    /// Puts the appointment's holder on the waiting list for an earlier slot of the same motif
    /// and lieu; their appointment gives way if they take an offer.
    public func waitForEarlier(_ rdv: PublicRdv) async throws {
        let (_, archived, rights) = try await rights(of: rdv)
        guard !archived else { throw BookingError.motifUnavailable }
        guard rights.mayWait else { throw OnlineChangeError.waitingListClosed }
        try await WaitingList(connection, tenant: tenant).addForEarlier(rdv)
    }
}
