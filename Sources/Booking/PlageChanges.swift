import Agenda
import Foundation
import Identity
import Notifications
import Scheduling
import Tenancy

/// Why a plage d'ouverture is refused.
public enum PlageError: DomainError, Equatable {
    /// Not a plage of the agent's own agenda (another département's included), or a day it does not fall on.
    case notFound
    /// The lieu or a motif is not of the agent's organisation in this département.
    case foreignLieuOrMotif
    /// A plage offers at least one motif.
    case noMotif

    public var refusal: Refusal {
        switch self {
        case .notFound: .notFound
        case .foreignLieuOrMotif, .noMotif: .invalid
        }
    }

    public var title: String {
        switch self {
        case .notFound: "Plage introuvable"
        case .foreignLieuOrMotif: "Lieu ou motif inconnu"
        case .noMotif: "Motif manquant"
        }
    }

    public var french: String {
        switch self {
        case .notFound: "Cette plage d’ouverture n’existe pas dans votre agenda."
        case .foreignLieuOrMotif: "Ce lieu ou ce motif n’existe pas dans votre organisation."
        case .noMotif: "Choisissez au moins un motif."
        }
    }
}

/// An agent's plages d'ouverture, for the pages and the API alike: each change in the caller's
/// transaction, on the agent's own agenda only; new openings go first to the people waiting.
public struct PlageChanges: Sendable {
    let connection: TenantConnection
    let tenant: Tenant
    let links: NoticeLinks
    let agent: Agent

    public init(_ connection: TenantConnection, tenant: Tenant, links: NoticeLinks, agent: Agent) {
        self.connection = connection
        self.tenant = tenant
        self.links = links
        self.agent = agent
    }

    /// One of the agent's own plages; `lock` keeps it from changing until the transaction ends
    /// (for a write that first checks the version the client read).
    public func own(_ plageID: UUID, lock: Bool = false) async throws -> Plage {
        guard let plage = try await PlageRepository(connection).find(plageID, lock: lock), plage.agentID == agent.id else { throw PlageError.notFound }
        return plage
    }

    /// One of the agent's plages and a day it falls on.
    public func ownOccurrence(_ plageID: UUID, on day: LocalDate) async throws -> Plage {
        let plage = try await own(plageID)
        guard !plage.span.recurrence.days(from: plage.span.firstDay, in: day...day).isEmpty else { throw PlageError.notFound }
        return plage
    }

    /// Creates a plage (`existing` nil) or replaces one; returns its id and warnings the agent
    /// may ignore (a motif longer than the plage, an overlap with another of their plages).
    public func save(_ existing: UUID?, lieuID: UUID, span: RecurringSpan, motifIDs: [UUID]) async throws -> (id: UUID, warnings: [String]) {
        if let existing { _ = try await own(existing) }
        guard !motifIDs.isEmpty else { throw PlageError.noMotif }
        let catalog = AgendaCatalog(connection)
        guard try await catalog.lieux(organisationID: agent.organisationID).contains(where: { $0.id == lieuID }) else { throw PlageError.foreignLieuOrMotif }
        let motifs = try await catalog.motifs(organisationID: agent.organisationID)
        guard motifIDs.allSatisfy({ id in motifs.contains { $0.id == id } }) else { throw PlageError.foreignLieuOrMotif }
        let plages = PlageRepository(connection)
        var warnings: [String] = []
        let length = span.end.minutes - span.start.minutes
        for motif in motifs where motifIDs.contains(motif.id) && motif.durationMinutes > length {
            warnings.append("Le motif « \(motif.name) » dure \(motif.durationMinutes) minutes, plus que cette plage : aucun créneau n’y tiendra.")
        }
        let clock = tenant.clock
        let horizon = span.firstDay...span.firstDay.adding(days: 84)
        let mine = span.occurrences(in: horizon, clock: clock)
        if try await plages.of(agentID: agent.id).contains(where: { other in
            other.id != existing && other.span.occurrences(in: horizon, clock: clock).contains { occurrence in mine.contains { $0.overlaps(occurrence) } }
        }) {
            warnings.append("Cette plage chevauche une autre de vos plages d’ouverture.")
        }
        let plageID: UUID
        if let existing {
            try await plages.update(existing, lieuID: lieuID, span: span, motifIDs: motifIDs)
            plageID = existing
        } else {
            plageID = try await plages.create(agentID: agent.id, lieuID: lieuID, span: span, motifIDs: motifIDs)
        }
        // New openings are offered first to the people waiting for them.
        try await WaitingList(connection, tenant: tenant).openingsAdded(motifIDs: motifIDs, lieuID: lieuID, publicURL: links.publicURL)
        return (plageID, warnings)
    }

    /// Deletes a whole series with its exceptions; appointments already booked in it stay.
    public func delete(_ plageID: UUID) async throws {
        try await PlageRepository(connection).delete(try await own(plageID, lock: true).id)
    }

    /// Ends a series after `lastDay`.
    public func end(_ plageID: UUID, after lastDay: LocalDate) async throws {
        try await PlageRepository(connection).end(try await own(plageID), after: lastDay)
    }

    /// Cancels or moves one occurrence of a series.
    public func change(_ plageID: UUID, on day: LocalDate, to change: OccurrenceChange) async throws {
        _ = try await ownOccurrence(plageID, on: day)
        try await PlageRepository(connection).change(plage: plageID, on: day, to: change)
    }
}
