import Agenda
import Foundation
import Identity
import Notifications
import PostgresNIO
import Scheduling
import Tenancy

/// A slot offered to someone on the waiting list.
public struct WaitingOffer: Sendable, Hashable {
    public let id: UUID
    public let entryID: UUID
    public let motifID: UUID
    public let lieuID: UUID
    public let start: Date
    public let expiresAt: Date
    public let takenRDV: UUID?
    public let details: BookingDetails
    public let address: BookingAddress?
    /// The person's later appointment, replaced when they take the offer.
    public let laterRDV: UUID?
    public let active: Bool
}

/// The waiting list of a département: people ask to be told of a slot (earlier than theirs);
/// when one frees, a few get an offer by their channels, in the daytime, at most one a day and
/// three in all; the first to take it books it, the others find it gone.
public struct WaitingList: Sendable {
    public static let offersPerSlot = 3
    public static let offersPerPerson = 3

    let connection: TenantConnection
    let tenant: Tenant

    public init(_ connection: TenantConnection, tenant: Tenant) {
        self.connection = connection
        self.tenant = tenant
    }

    /// Puts someone on the list; returns the token of the link that takes them off it.
    public func add(motifID: UUID, lieuID: UUID?, laterRDV: UUID?, details: BookingDetails, address: BookingAddress?) async throws -> String {
        let token = SecretToken.generate().value
        let stored = BookingRequestRepository.Stored(details: details, address: address)
        try await connection.query(
            """
            INSERT INTO waiting_list (motif_id, lieu_id, rdv_id, details, token_hash)
            VALUES (\(motifID), \(lieuID), \(laterRDV), \(stored.json)::jsonb, \(SecretToken.hash(token)))
            """
        )
        return token
    }

    /// The holder of a coming appointment waits for an earlier slot of the same motif and lieu,
    /// with the contacts of their record (their responsible's for a relative); their
    /// appointment gives way if they take an offer. False when they already wait for it;
    /// `AgentAppointmentError.noContact` when nobody could be told of a slot.
    @discardableResult
    public func addForEarlier(_ rdv: PublicRdv) async throws -> Bool {
        for try await _ in try await connection.query("SELECT 1 FROM waiting_list WHERE rdv_id = \(rdv.id) AND active") { return false }
        let usagers = UsagerRepository(connection)
        guard let attendee = try await usagers.find(rdv.attendeeID) else { throw BookingError.rdvNotFound }
        var responsible: Usager?
        if let responsibleID = attendee.responsibleID { responsible = try await usagers.find(responsibleID) }
        let contact = responsible ?? attendee
        let details = BookingDetails(
            firstName: contact.firstName, lastName: contact.lastName, phone: attendee.phone ?? contact.phone, email: attendee.email ?? contact.email,
            relative: responsible == nil ? nil : .init(firstName: attendee.firstName, lastName: attendee.lastName, birthDate: attendee.birthDate?.description)
        )
        guard details.email != nil || details.phone.flatMap(PhoneNumber.init)?.isMobile == true else { throw AgentAppointmentError.noContact }
        _ = try await add(motifID: rdv.motifID, lieuID: rdv.lieuID, laterRDV: rdv.id, details: details, address: nil)
        return true
    }

    /// Whether the holder of this appointment waits for an earlier slot.
    public func isWaiting(rdvID: UUID) async throws -> Bool {
        for try await _ in try await connection.query("SELECT 1 FROM waiting_list WHERE rdv_id = \(rdvID) AND active") { return true }
        return false
    }

    /// Takes someone off the list by the link of their messages: the link they got on joining,
    /// or the link of an offer made to them.
    public func remove(token: String) async throws -> Bool {
        for try await _ in try await connection.query(
            "UPDATE waiting_list SET active = false WHERE token_hash = \(SecretToken.hash(token)) AND active RETURNING id"
        ) { return true }
        guard let offer = try await offer(token: token) else { return false }
        try await connection.query("UPDATE waiting_list SET active = false WHERE id = \(offer.entryID)")
        return true
    }

    /// A slot of `motifID` at `lieuID` starting at `start` is free again: offers it to the
    /// longest-waiting people it suits. Returns how many offers went out.
    @discardableResult
    public func slotFreed(motifID: UUID, lieuID: UUID, start: Date, now: Date = Date(), publicURL: String) async throws -> Int {
        guard let clock = WallClock(timeZone: tenant.timeZone) else { return 0 }
        // Only a time the engine still offers (delays, plages, absences…); an archived motif offers none.
        let days = Int(start.timeIntervalSince(now) / 86_400) + 2
        guard days > 0 else { return 0 }
        let free: [AvailableSlot]
        do {
            free = try await SlotSearch(connection, tenant: tenant).slots(motifID: motifID, now: now, within: days, lieu: lieuID)
        } catch BookingError.motifUnavailable {
            return 0
        }
        guard free.contains(where: { $0.range.start == start }) else { return 0 }
        // Messages go in the daytime: now, or from 08:00 when that is still well before the slot.
        let sendAt = ReminderPlanner.daytime(now, clock: clock)
        guard start.timeIntervalSince(sendAt) > 3600 else { return 0 }
        let startOfDay = clock.instant(clock.localDate(of: now), LocalTime(minutes: 0)!)
        var entries: [(UUID, String)] = []
        for try await row in try await connection.query(
            """
            SELECT w.id, w.details::text FROM waiting_list w LEFT JOIN rdvs r ON r.id = w.rdv_id
            WHERE w.active AND w.motif_id = \(motifID) AND (w.lieu_id IS NULL OR w.lieu_id = \(lieuID))
              AND w.offers_sent < \(Self.offersPerPerson) AND (w.last_offer_at IS NULL OR w.last_offer_at < \(startOfDay))
              AND (w.rdv_id IS NULL OR (r.starts_at > \(start) AND r.status = 'unknown'))
            ORDER BY w.created_at LIMIT \(Self.offersPerSlot)
            FOR UPDATE OF w SKIP LOCKED
            """
        ).decode((UUID, String).self) { entries.append(row) }
        var offered = 0
        for (entryID, json) in entries {
            guard let stored = BookingRequestRepository.Stored.from(json: json) else { continue }
            let token = SecretToken.generate().value
            let expires = start.addingTimeInterval(-1800)
            try await connection.query(
                """
                INSERT INTO waiting_list_offers (entry_id, lieu_id, starts_at, token_hash, expires_at)
                VALUES (\(entryID), \(lieuID), \(start), \(SecretToken.hash(token)), \(expires))
                """
            )
            try await connection.query(
                "UPDATE waiting_list SET offers_sent = offers_sent + 1, last_offer_at = \(now) WHERE id = \(entryID)"
            )
            let link = "\(publicURL)/liste-attente/offre/\(token)"
            let when = FrenchDates.when(start, clock), short = FrenchDates.short(start, clock)
            let queue = MessageQueue(connection)
            if let email = stored.details.email {
                try await queue.enqueue(
                    .email, kind: "waiting_list_offer", to: email, subject: "Un créneau s’est libéré le \(when)",
                    body: "Bonjour,\n\nUn créneau vient de se libérer le \(when). Il est à la première personne qui le prend :\n\(link)\n\nSi vous ne souhaitez plus être prévenu, ouvrez ce lien et retirez-vous de la liste.",
                    notBefore: sendAt, expires: expires
                )
            }
            if let phone = stored.details.phone, PhoneNumber(phone)?.isMobile == true {
                try await queue.enqueue(
                    .sms, kind: "waiting_list_offer", to: phone, subject: "",
                    body: SMSText.plain("\(tenant.name) : un créneau s’est libéré le \(short). Premier arrivé, premier servi : \(link)"),
                    notBefore: sendAt, expires: expires
                )
            }
            offered += 1
        }
        return offered
    }

    /// New openings at `lieuID`: the first free slot of each motif goes to the waiting list.
    @discardableResult
    public func openingsAdded(motifIDs: [UUID], lieuID: UUID, now: Date = Date(), publicURL: String) async throws -> Int {
        var offered = 0
        for motifID in motifIDs {
            var waiting = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM waiting_list WHERE active AND motif_id = \(motifID) AND (lieu_id IS NULL OR lieu_id = \(lieuID)) LIMIT 1"
            ) { waiting = true }
            guard waiting, let first = try await SlotSearch(connection, tenant: tenant).slots(motifID: motifID, now: now, limit: 1, lieu: lieuID).first else { continue }
            offered += try await slotFreed(motifID: motifID, lieuID: lieuID, start: first.range.start, now: now, publicURL: publicURL)
        }
        return offered
    }

    public func offer(token: String) async throws -> WaitingOffer? {
        for try await row in try await connection.query(
            """
            SELECT o.id, o.entry_id, w.motif_id, o.lieu_id, o.starts_at, o.expires_at, o.taken_rdv_id, w.details::text, w.rdv_id, w.active
            FROM waiting_list_offers o JOIN waiting_list w ON w.id = o.entry_id WHERE o.token_hash = \(SecretToken.hash(token))
            """
        ).decode((UUID, UUID, UUID, UUID, Date, Date, UUID?, String, UUID?, Bool).self) {
            guard let stored = BookingRequestRepository.Stored.from(json: row.7) else { return nil }
            return WaitingOffer(
                id: row.0, entryID: row.1, motifID: row.2, lieuID: row.3, start: row.4, expiresAt: row.5, takenRDV: row.6,
                details: stored.details, address: stored.address, laterRDV: row.8, active: row.9
            )
        }
        return nil
    }

    /// Takes an offer: the person's later appointment gives way, the slot is booked, the person
    /// leaves the list. Throws `BookingError.slotTaken` when someone was quicker (nothing changes then).
    public func take(_ offer: WaitingOffer, now: Date = Date()) async throws -> UUID {
        guard offer.takenRDV == nil, offer.active, offer.expiresAt > now else { throw BookingError.slotTaken }
        if let later = offer.laterRDV {
            try await RdvRepository(connection).setStatus(later, to: .excused, byAgent: nil)
        }
        let rdvID = try await OnlineBooking(connection, tenant: tenant).book(
            motifID: offer.motifID, lieuID: offer.lieuID, start: offer.start, details: offer.details, address: offer.address, accountID: nil, now: now,
            alreadyServed: offer.laterRDV != nil
        )
        try await connection.query("UPDATE waiting_list_offers SET taken_rdv_id = \(rdvID) WHERE id = \(offer.id)")
        try await connection.query("UPDATE waiting_list SET active = false WHERE id = \(offer.entryID)")
        try await connection.query("UPDATE rdvs SET created_by = 'waiting_list' WHERE id = \(rdvID)")
        return rdvID
    }
}
