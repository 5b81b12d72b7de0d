import Foundation
import PostgresNIO
import Tenancy

/// Why an appointment could not be booked, joined or changed, in words for the person who tried.
public enum BookingError: DomainError, Equatable {
    /// Another appointment took this time for one of the agents first.
    case slotTaken
    /// No seat is left in this collective appointment.
    case full
    /// No such appointment in this département.
    case rdvNotFound
    /// The motif is archived, unknown here, or not offered to this address.
    case motifUnavailable
    /// A follow-up motif is booked only with one of the usager's referent agents.
    case notReferent
    /// The person already has a coming appointment of this motif, which allows only one.
    case alreadyBooked

    public var refusal: Refusal {
        switch self {
        case .slotTaken, .full, .alreadyBooked, .notReferent: .conflict
        case .rdvNotFound: .notFound
        case .motifUnavailable: .gone
        }
    }

    public var title: String {
        switch self {
        case .slotTaken: "Créneau déjà pris"
        case .full: "Séance complète"
        case .rdvNotFound: "Rendez-vous introuvable"
        case .motifUnavailable: "Motif indisponible"
        case .notReferent: "Agent non référent"
        case .alreadyBooked: "Rendez-vous déjà pris"
        }
    }

    public var french: String {
        switch self {
        case .slotTaken: "Ce créneau vient d’être pris. Choisissez-en un autre."
        case .full: "Il n’y a plus de place pour cette séance."
        case .rdvNotFound: "Ce rendez-vous n’existe pas."
        case .motifUnavailable: "Ce motif n’est plus proposé en ligne. Contactez le service pour prendre ou changer un rendez-vous."
        case .alreadyBooked: "Vous avez déjà un rendez-vous à venir pour ce motif. Annulez-le ou déplacez-le avant d’en prendre un autre."
        case .notReferent: "Ce motif de suivi se réserve seulement avec un agent référent de l’usager."
        }
    }
}

/// What a new appointment holds.
public struct NewRdv: Sendable {
    public var motifID: UUID
    public var lieuID: UUID?
    public var start: Date
    public var end: Date
    public var agentIDs: [UUID]
    public var usagerIDs: [UUID]
    /// Seats, for a collective appointment.
    public var capacity: Int?
    public var createdBy: String
    public var createdByAgentID: UUID?
    /// The API token that made it, for its history ("créé par l’API (nom du jeton)").
    public var createdByAPITokenID: UUID?

    public init(
        motifID: UUID, lieuID: UUID?, start: Date, end: Date, agentIDs: [UUID], usagerIDs: [UUID],
        capacity: Int? = nil, createdBy: String = "agent", createdByAgentID: UUID? = nil, createdByAPITokenID: UUID? = nil
    ) {
        self.createdByAPITokenID = createdByAPITokenID
        self.motifID = motifID
        self.lieuID = lieuID
        self.start = start
        self.end = end
        self.agentIDs = agentIDs
        self.usagerIDs = usagerIDs
        self.capacity = capacity
        self.createdBy = createdBy
        self.createdByAgentID = createdByAgentID
    }
}

/// Appointments of the département whose transaction this is. PostgreSQL, not this code, has
/// the last word on double booking (an exclusion constraint) and on seats (a row lock).
public struct RdvRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Books an appointment; throws `BookingError.slotTaken` when an agent's time is already held.
    /// The caller's transaction is then rolled back whole: nothing is half written.
    public func book(_ rdv: NewRdv) async throws -> UUID {
        let rows = try await connection.query(
            """
            INSERT INTO rdvs (motif_id, lieu_id, starts_at, ends_at, capacity, created_by, created_by_agent_id, created_by_api_token_id)
            VALUES (\(rdv.motifID), \(rdv.lieuID), \(rdv.start), \(rdv.end), \(rdv.capacity), \(rdv.createdBy), \(rdv.createdByAgentID),
                    \(rdv.createdByAPITokenID))
            RETURNING id
            """
        )
        var rdvID: UUID?
        for try await id in rows.decode(UUID.self) { rdvID = id }
        guard let rdvID else { throw MissingReturnedRow("rdvs") }
        do {
            for agentID in rdv.agentIDs {
                try await connection.query(
                    """
                    INSERT INTO rdv_agents (rdv_id, agent_id, during)
                    VALUES (\(rdvID), \(agentID), tstzrange(\(rdv.start), \(rdv.end), '[)'))
                    """
                )
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23P01" {
            throw BookingError.slotTaken
        }
        for usagerID in rdv.usagerIDs {
            try await connection.query("INSERT INTO rdv_participants (rdv_id, usager_id) VALUES (\(rdvID), \(usagerID))")
        }
        try await record(rdvID, "created", agent: rdv.createdByAgentID)
        return rdvID
    }

    /// Adds a participant to a collective appointment if a seat is left. The appointment's row is
    /// locked first, so concurrent joins count seats one after the other.
    public func join(_ rdvID: UUID, usagerID: UUID, byAgent agentID: UUID? = nil) async throws {
        let rows = try await connection.query(
            "SELECT capacity FROM rdvs WHERE id = \(rdvID) AND status = 'unknown' FOR UPDATE"
        )
        var found = false
        var capacity: Int?
        for try await seats in rows.decode(Int?.self) {
            found = true
            capacity = seats
        }
        guard found else { throw BookingError.rdvNotFound }
        let taken = try await connection.query(
            "SELECT count(*)::int FROM rdv_participants WHERE rdv_id = \(rdvID) AND status NOT IN ('excused', 'revoked')"
        )
        var count = 0
        for try await value in taken.decode(Int.self) { count = value }
        guard count < (capacity ?? 1) else { throw BookingError.full }
        try await connection.query(
            """
            INSERT INTO rdv_participants (rdv_id, usager_id) VALUES (\(rdvID), \(usagerID))
            ON CONFLICT (rdv_id, usager_id) DO UPDATE SET status = 'unknown'
            """
        )
        try await record(rdvID, "participant_added", agent: agentID)
    }

    /// Sets the status of an appointment and of its participants; a cancellation frees the agents' time.
    public func setStatus(_ rdvID: UUID, to status: RdvStatus, byAgent agentID: UUID? = nil) async throws {
        let rows = try await connection.query(
            "UPDATE rdvs SET status = \(status.rawValue), updated_at = now() WHERE id = \(rdvID) RETURNING id"
        )
        var updated = false
        for try await _ in rows { updated = true }
        guard updated else { throw BookingError.rdvNotFound }
        try await connection.query("UPDATE rdv_participants SET status = \(status.rawValue) WHERE rdv_id = \(rdvID)")
        do {
            try await connection.query("UPDATE rdv_agents SET active = \(status.holdsTime) WHERE rdv_id = \(rdvID)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23P01" {
            // Reinstating a cancelled appointment whose time was given to someone else.
            throw BookingError.slotTaken
        }
        try await record(rdvID, "status:\(status.rawValue)", agent: agentID)
    }

    /// Sets one participant's status (a collective session's attendance); false when that usager
    /// is not a participant of this appointment.
    public func setParticipantStatus(_ rdvID: UUID, usagerID: UUID, to status: RdvStatus, byAgent agentID: UUID?) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE rdv_participants SET status = \(status.rawValue) WHERE rdv_id = \(rdvID) AND usager_id = \(usagerID) RETURNING usager_id"
        )
        var updated = false
        for try await _ in rows { updated = true }
        if updated { try await record(rdvID, "participant_status:\(status.rawValue)", agent: agentID) }
        return updated
    }

    /// The history of an appointment, oldest first: (when, what).
    public func history(_ rdvID: UUID) async throws -> [(Date, String)] {
        let rows = try await connection.query("SELECT occurred_at, action FROM rdv_events WHERE rdv_id = \(rdvID) ORDER BY id")
        var events: [(Date, String)] = []
        for try await event in rows.decode((Date, String).self) { events.append(event) }
        return events
    }

    public func record(_ rdvID: UUID, _ action: String, agent: UUID?) async throws {
        try await connection.query("INSERT INTO rdv_events (rdv_id, actor_agent_id, action) VALUES (\(rdvID), \(agent), \(action))")
    }
}
