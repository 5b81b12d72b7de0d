import Agenda
import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// Turns a confirmed online booking into an appointment: finds the usager again (or records
/// them), their relative, a free agent at that time and place, and books, all in the caller's
/// transaction, so that nothing is half written when the slot was just taken.
public struct OnlineBooking: Sendable {
    let connection: TenantConnection
    let tenant: Tenant

    public init(_ connection: TenantConnection, tenant: Tenant) {
        self.connection = connection
        self.tenant = tenant
    }

    /// Books; throws `BookingError.slotTaken` when no agent is free any more at `start`, and
    /// `BookingError.alreadyBooked` when the person already has a coming appointment of this motif.
    public func book(
        motifID: UUID, lieuID: UUID, start: Date, details: BookingDetails, address: BookingAddress?, accountID: UUID?, now: Date = Date(),
        alreadyServed: Bool = false
    ) async throws -> UUID {
        // Someone who already holds an appointment of this motif is served whatever their address.
        let offer = OnlineOffer(connection)
        var found = try await offer.motif(motifID, for: address)
        if found == nil, alreadyServed { found = try await offer.motif(motifID, ignoringSectors: true) }
        guard let motif = found else { throw BookingError.motifUnavailable }
        let agents = alreadyServed ? nil : try await offer.agents(for: motif, address: address)
        let days = Int(start.timeIntervalSince(now) / 86_400) + 2
        let free = try await SlotSearch(connection, tenant: tenant).slots(motifID: motifID, now: now, within: days, agents: agents)
            .filter { $0.lieuID == lieuID && $0.range.start == start }
        guard let slot = free.first else { throw BookingError.slotTaken }

        let person = try await person(details, accountID: accountID)
        var attendee = person
        if let relative = details.relative { attendee = try await self.relative(relative, of: person) }
        let severalAllowed = try await MotifRepository(connection).find(motifID)?.rules.severalUpcomingAllowed ?? false
        if !severalAllowed, try await hasComingAppointment(attendee, motifID: motifID, now: now) {
            throw BookingError.alreadyBooked
        }
        let rdvID = try await RdvRepository(connection).book(NewRdv(
            motifID: motifID, lieuID: lieuID, start: slot.range.start, end: slot.range.end, agentIDs: [slot.agentID],
            usagerIDs: [attendee], createdBy: "usager"
        ))
        let prescripteur = details.prescripteur.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        try await connection.query(
            "UPDATE rdvs SET prescripteur = \(prescripteur)::jsonb, created_by_usager_account_id = \(accountID) WHERE id = \(rdvID)"
        )
        return rdvID
    }

    /// The usager who books: the one of the account, or one with the same names and contact, or a new one.
    func person(_ details: BookingDetails, accountID: UUID?) async throws -> UUID {
        if let accountID {
            for try await id in try await connection.query(
                "SELECT id FROM usagers WHERE account_id = \(accountID) AND responsible_id IS NULL ORDER BY created_at LIMIT 1"
            ).decode(UUID.self) {
                try await connection.query(
                    """
                    UPDATE usagers SET phone = coalesce(\(details.phone), phone), email = coalesce(\(details.email), email), updated_at = now()
                    WHERE id = \(id)
                    """
                )
                return id
            }
        } else {
            for try await id in try await connection.query(
                """
                SELECT id FROM usagers
                WHERE responsible_id IS NULL AND account_id IS NULL
                  AND lower(first_name) = lower(\(details.firstName)) AND lower(last_name) = lower(\(details.lastName))
                  AND ((\(details.email)::text IS NOT NULL AND lower(email) = lower(\(details.email))) OR (\(details.phone)::text IS NOT NULL AND phone = \(details.phone)))
                ORDER BY created_at LIMIT 1
                """
            ).decode(UUID.self) { return id }
        }
        let id = try await UsagerRepository(connection).create(
            firstName: details.firstName, lastName: details.lastName, phone: details.phone, email: details.email
        )
        if let accountID { try await connection.query("UPDATE usagers SET account_id = \(accountID) WHERE id = \(id)") }
        return id
    }

    func relative(_ relative: BookingDetails.Relative, of person: UUID) async throws -> UUID {
        for try await id in try await connection.query(
            """
            SELECT id FROM usagers WHERE responsible_id = \(person)
              AND lower(first_name) = lower(\(relative.firstName)) AND lower(last_name) = lower(\(relative.lastName))
            LIMIT 1
            """
        ).decode(UUID.self) { return id }
        return try await UsagerRepository(connection).create(
            firstName: relative.firstName, lastName: relative.lastName, phone: nil, email: nil,
            birthDate: relative.birthDate.flatMap(LocalDate.init(iso:)), responsibleID: person
        )
    }

    func hasComingAppointment(_ usagerID: UUID, motifID: UUID, now: Date) async throws -> Bool {
        for try await _ in try await connection.query(
            """
            SELECT 1 FROM rdvs r JOIN rdv_participants p ON p.rdv_id = r.id
            WHERE p.usager_id = \(usagerID) AND r.motif_id = \(motifID) AND r.starts_at > \(now) AND r.status = 'unknown' AND p.status = 'unknown'
            LIMIT 1
            """
        ) { return true }
        return false
    }
}
