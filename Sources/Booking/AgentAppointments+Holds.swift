import Agenda
import Foundation
import Identity
import PostgresNIO
import Scheduling
import Tenancy

/// A free slot held for a few minutes while a partner's form completes: nobody else can book it
/// or see it free until the hold is taken by the booking, released, or lapses by itself.
public struct SlotHold: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let agentID: UUID
    public let motifID: UUID
    public let lieuID: UUID
    public let range: TimeRange
    public let expiresAt: Date
}

public enum SlotHoldError: DomainError, Equatable {
    /// The time is not among the motif's free slots (taken, held, or outside the plages).
    case notFree
    /// No hold of this token with this id.
    case notFound
    /// The hold lapsed before the booking came.
    case lapsed
    /// The booking names another slot than the one held.
    case mismatch

    public var refusal: Refusal {
        switch self {
        case .notFree: .conflict
        case .notFound: .notFound
        case .lapsed: .gone
        case .mismatch: .invalid
        }
    }

    public var title: String {
        switch self {
        case .notFree: "Créneau indisponible"
        case .notFound: "Réservation temporaire introuvable"
        case .lapsed: "Réservation temporaire expirée"
        case .mismatch: "Créneau différent"
        }
    }

    public var french: String {
        switch self {
        case .notFree: "Ce créneau n’est pas libre : il est pris, tenu par quelqu’un d’autre ou hors des plages d’ouverture du motif."
        case .notFound: "Cette réservation temporaire n’existe pas ou a déjà servi."
        case .lapsed: "La réservation temporaire a expiré au bout de 5 minutes. Cherchez un créneau libre et réservez-le de nouveau."
        case .mismatch: "Le rendez-vous demandé ne correspond pas au créneau réservé (motif, lieu, agent ou heure)."
        }
    }
}

extension AgentAppointments {
    public static let holdDuration: TimeInterval = 300

    /// Holds one of the motif's free slots at `start` in `agentID`'s agenda for five minutes.
    public func hold(motifID: UUID, lieuID: UUID, agentID: UUID, start: Date, tokenID: UUID) async throws -> SlotHold {
        try await requireEditable(agentID)
        _ = try await bookable(motifID: motifID, lieuID: lieuID)
        let free = try await SlotSearch(connection, tenant: tenant).slots(motifID: motifID, now: now, agents: [agentID], lieu: lieuID)
        guard let slot = free.first(where: { $0.range.start == start && $0.agentID == agentID }) else { throw SlotHoldError.notFree }
        // Lapsed holds stay until a new one needs their place (nothing else reads them).
        try await connection.query("DELETE FROM slot_holds WHERE agent_id = \(agentID) AND expires_at <= \(now)")
        let expires = now.addingTimeInterval(Self.holdDuration)
        var id: UUID?
        do {
            let rows = try await connection.query(
                """
                INSERT INTO slot_holds (agent_id, motif_id, lieu_id, during, expires_at, token_id)
                VALUES (\(agentID), \(motifID), \(lieuID), tstzrange(\(slot.range.start), \(slot.range.end), '[)'), \(expires), \(tokenID))
                RETURNING id
                """
            )
            for try await value in rows.decode(UUID.self) { id = value }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23P01" {
            throw SlotHoldError.notFree
        }
        guard let id else { throw MissingReturnedRow("slot_holds") }
        return SlotHold(id: id, agentID: agentID, motifID: motifID, lieuID: lieuID, range: slot.range, expiresAt: expires)
    }

    /// A hold of this token, live or lapsed.
    public func findHold(_ holdID: UUID, tokenID: UUID) async throws -> SlotHold? {
        let rows = try await connection.query(
            """
            SELECT id, agent_id, motif_id, lieu_id, lower(during), upper(during), expires_at
            FROM slot_holds WHERE id = \(holdID) AND token_id = \(tokenID)
            """
        )
        for try await (id, agentID, motifID, lieuID, start, end, expires) in rows.decode((UUID, UUID, UUID, UUID, Date, Date, Date).self) {
            return SlotHold(id: id, agentID: agentID, motifID: motifID, lieuID: lieuID, range: TimeRange(start: start, end: end), expiresAt: expires)
        }
        return nil
    }

    /// Gives the held slot back before its time.
    public func release(_ holdID: UUID, tokenID: UUID) async throws {
        let rows = try await connection.query("DELETE FROM slot_holds WHERE id = \(holdID) AND token_id = \(tokenID) RETURNING id")
        var found = false
        for try await _ in rows { found = true }
        guard found else { throw SlotHoldError.notFound }
    }

    /// The booking takes its hold: the hold must be this token's, live, and for this very slot.
    func takeHold(_ holdID: UUID, tokenID: UUID, motifID: UUID, lieuID: UUID, agentID: UUID, start: Date) async throws {
        guard let hold = try await findHold(holdID, tokenID: tokenID) else { throw SlotHoldError.notFound }
        guard hold.expiresAt > now else { throw SlotHoldError.lapsed }
        guard hold.motifID == motifID, hold.lieuID == lieuID, hold.agentID == agentID, hold.range.start == start else {
            throw SlotHoldError.mismatch
        }
        try await connection.query("DELETE FROM slot_holds WHERE id = \(holdID)")
    }
}
