import Agenda
import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// What a usager's own space reads and changes: the records tied to their account, their
/// relatives, their contact details and preferences, their data, the account's deletion.
public struct UsagerSpace: Sendable {
    let connection: TenantConnection
    let accountID: UUID

    public init(_ connection: TenantConnection, accountID: UUID) {
        self.connection = connection
        self.accountID = accountID
    }

    /// Adds a relative to the account's own record.
    public func addRelative(firstName: String, lastName: String, birthDate: LocalDate?, to own: UUID) async throws {
        _ = try await UsagerRepository(connection).create(firstName: firstName, lastName: lastName, phone: nil, email: nil, birthDate: birthDate, responsibleID: own)
    }

    /// Contact details and preferences of the account's own record.
    public struct Contact: Sendable, Hashable, Codable {
        public var phone: String?
        public var email: String?
        public var bySMS: Bool
        public var byEmail: Bool

        public init(phone: String?, email: String?, bySMS: Bool, byEmail: Bool) {
            self.phone = phone
            self.email = email
            self.bySMS = bySMS
            self.byEmail = byEmail
        }
    }

    /// The account's own usager record, created on first need from the account's names.
    public func ownRecord(firstName: String, lastName: String, email: String) async throws -> UUID {
        for try await id in try await connection.query(
            "SELECT id FROM usagers WHERE account_id = \(accountID) AND responsible_id IS NULL ORDER BY created_at LIMIT 1"
        ).decode(UUID.self) { return id }
        let id = try await UsagerRepository(connection).create(firstName: firstName, lastName: lastName, phone: nil, email: email)
        try await connection.query("UPDATE usagers SET account_id = \(accountID) WHERE id = \(id)")
        return id
    }

    public func contact(of usagerID: UUID) async throws -> Contact {
        for try await (phone, email, sms, mail) in try await connection.query(
            "SELECT phone, email, notify_by_sms, notify_by_email FROM usagers WHERE id = \(usagerID)"
        ).decode((String?, String?, Bool, Bool).self) {
            return Contact(phone: phone, email: email, bySMS: sms, byEmail: mail)
        }
        return Contact(phone: nil, email: nil, bySMS: true, byEmail: true)
    }

    public func setContact(_ contact: Contact, of usagerID: UUID) async throws {
        try await connection.query(
            """
            UPDATE usagers SET phone = \(contact.phone), email = \(contact.email), notify_by_sms = \(contact.bySMS),
                notify_by_email = \(contact.byEmail), updated_at = now()
            WHERE id = \(usagerID) AND account_id = \(accountID)
            """
        )
    }

    /// Everything the département holds on this account's people, for the right of access:
    /// records, relatives, appointments (without the agents' internal notes).
    public func export(account: [String: String]) async throws -> Data {
        var people: [[String: Any]] = []
        for try await (id, first, last, birth, email, phone, responsible, created, address) in try await connection.query(
            """
            SELECT id, first_name, last_name, birth_date::text, email, phone, responsible_id, created_at, address FROM usagers
            WHERE account_id = \(accountID) OR responsible_id IN (SELECT id FROM usagers WHERE account_id = \(accountID))
            ORDER BY created_at
            """
        ).decode((UUID, String, String, String?, String?, String?, UUID?, Date, String?).self) {
            var person: [String: Any] = ["id": id.uuidString, "prenom": first, "nom": last, "cree_le": ISO8601DateFormatter().string(from: created)]
            if let birth { person["date_naissance"] = birth }
            if let email { person["email"] = email }
            if let phone { person["telephone"] = phone }
            if let address { person["adresse"] = address }
            if let responsible { person["proche_de"] = responsible.uuidString }
            people.append(person)
        }
        var appointments: [[String: Any]] = []
        for rdv in try await PublicRdvRepository(connection).of(accountID: accountID) {
            var item: [String: Any] = [
                "id": rdv.id.uuidString, "motif": rdv.motifName, "debut": ISO8601DateFormatter().string(from: rdv.start),
                "fin": ISO8601DateFormatter().string(from: rdv.end), "statut": rdv.status.rawValue,
                "personne": "\(rdv.attendeeFirstName) \(rdv.attendeeLastName)",
            ]
            if let lieu = rdv.lieuName { item["lieu"] = lieu }
            appointments.append(item)
        }
        let document: [String: Any] = [
            "compte": account, "personnes": people, "rendez_vous": appointments,
            "note": "Les notes internes des agents ne figurent pas dans cet export ; pour y accéder, écrivez au délégué à la protection des données du département.",
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }

    /// Deletes the account: sessions and tokens go with it; the département's records of the
    /// people and appointments stay (the services keep their files) but are no longer tied to it.
    public func deleteAccount() async throws {
        try await connection.query("DELETE FROM usager_accounts WHERE id = \(accountID)")
    }
}
