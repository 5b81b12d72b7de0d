import Agenda
import Foundation
import Identity
import Notifications
import Scheduling
import Tenancy

/// An agent's absences, for the pages and the API alike: each change in the caller's
/// transaction, on the agent's own agenda only. An absence shortened or removed gives time
/// back: the agent's plages offer it first to the people waiting.
public struct AbsenceChanges: Sendable {
    public static let titleLimit = 200

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

    /// One of the agent’s own absences; `AbsenceError.notFound` otherwise.
    public func own(_ absenceID: UUID) async throws -> Absence {
        guard let absence = try await AbsenceRepository(connection).of(agentID: agent.id).first(where: { $0.id == absenceID }) else {
            throw AbsenceError.notFound
        }
        return absence
    }

    @discardableResult
    public func create(title: String, span: RecurringSpan) async throws -> UUID {
        try await AbsenceRepository(connection).create(agentID: agent.id, title: String(title.prefix(Self.titleLimit)), span: span)
    }

    public func update(_ absenceID: UUID, title: String, span: RecurringSpan) async throws {
        _ = try await own(absenceID)
        try await AbsenceRepository(connection).update(absenceID, title: String(title.prefix(Self.titleLimit)), span: span)
        try await offerFreedTime()
    }

    public func delete(_ absenceID: UUID) async throws {
        _ = try await own(absenceID)
        try await AbsenceRepository(connection).delete(absenceID)
        try await offerFreedTime()
    }

    /// Each lieu of the agent's plages offers its first free slot of each motif to the waiting list.
    private func offerFreedTime() async throws {
        let waitingList = WaitingList(connection, tenant: tenant)
        let byLieu = Dictionary(grouping: try await PlageRepository(connection).of(agentID: agent.id), by: \.lieuID)
        for (lieuID, plages) in byLieu {
            let motifs = Set(plages.flatMap(\.motifIDs)).sorted { $0.uuidString < $1.uuidString }
            try await waitingList.openingsAdded(motifIDs: motifs, lieuID: lieuID, publicURL: links.publicURL)
        }
    }
}

public enum AbsenceError: DomainError, Equatable {
    /// Not an absence of the agent's own agenda (another département's included).
    case notFound

    public var refusal: Refusal { .notFound }
    public var title: String { "Absence introuvable" }
    public var french: String { "Cette absence n’existe pas dans votre agenda." }
}
