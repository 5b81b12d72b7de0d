import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// A person received by the département's services.
public struct Usager: Sendable, Hashable, Identifiable {
    public let id: UUID
    public var firstName: String
    public var lastName: String
    public var birthDate: LocalDate?
    public var email: String?
    public var phone: String?
    /// The usager responsible for this one (a parent for a child), nil for an adult on their own.
    public var responsibleID: UUID?

    public var fullName: String { "\(firstName) \(lastName)" }
}

/// Usagers of the département whose transaction this is: search, record, relatives, referents.
public struct UsagerRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Usagers whose first or last name starts with `text` (case-insensitive), at most 50.
    /// The matches are gathered first, through the prefix indexes, then sorted: left to itself
    /// the planner walks the name index in order until 50 match, which for a name late in the
    /// alphabet reads most of the usagers.
    public func search(_ text: String) async throws -> [(id: UUID, name: String, phone: String?, appointments: Int)] {
        let pattern = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        var found: [(id: UUID, name: String, phone: String?, appointments: Int)] = []
        for try await (id, first, last, phone, count) in try await connection.query(
            """
            WITH matching AS MATERIALIZED (
                SELECT id, first_name, last_name, phone FROM usagers
                WHERE lower(last_name) LIKE \(pattern) OR lower(first_name) LIKE \(pattern)
            )
            SELECT u.id, u.first_name, u.last_name, u.phone, (SELECT count(*)::int FROM rdv_participants p WHERE p.usager_id = u.id)
            FROM matching u
            ORDER BY lower(u.last_name), lower(u.first_name) LIMIT 50
            """
        ).decode((UUID, String, String, String?, Int).self) {
            found.append((id, "\(first) \(last)", phone, count))
        }
        return found
    }

    public func create(firstName: String, lastName: String, phone: String?, email: String?, birthDate: LocalDate? = nil, responsibleID: UUID? = nil) async throws -> UUID {
        for try await id in try await connection.query(
            """
            INSERT INTO usagers (first_name, last_name, phone, email, birth_date, responsible_id)
            VALUES (\(firstName), \(lastName), \(phone), \(email), \(birthDate?.description)::date, \(responsibleID)) RETURNING id
            """
        ).decode(UUID.self) { return id }
        throw MissingReturnedRow("usagers")
    }

    /// One usager; `lock` holds the row until the transaction ends (a write checking a version).
    public func find(_ usagerID: UUID, lock: Bool = false) async throws -> Usager? {
        try await usagers("\(unescaped: Self.columns) WHERE id = \(usagerID) \(unescaped: lock ? "FOR UPDATE" : "")").first
    }

    /// Records that may be the same person: the same names (ignoring case and accents) and
    /// birth date, or the same phone, or the same email; the oldest first, at most 21.
    public func duplicateCandidates(firstName: String, lastName: String, birthDate: LocalDate?, phone: String?, email: String?) async throws -> [Usager] {
        // PostgreSQL's lower() follows the database's locale: the names are compared here.
        let candidates = try await usagers(
            """
            \(unescaped: Self.columns)
            WHERE (\(birthDate?.description)::date IS NOT NULL AND birth_date = \(birthDate?.description)::date)
               OR (\(birthDate?.description)::date IS NULL AND birth_date IS NULL AND lower(last_name) = lower(\(lastName)))
               OR (\(phone)::text IS NOT NULL AND phone = \(phone))
               OR (\(email)::text IS NOT NULL AND lower(email) = lower(\(email)))
            ORDER BY created_at, id LIMIT 500
            """
        )
        func folded(_ text: String) -> String { text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).trimmingCharacters(in: .whitespaces) }
        let names = (folded(firstName), folded(lastName))
        return Array(candidates.filter { other in
            (phone != nil && other.phone == phone) || (email != nil && other.email?.lowercased() == email?.lowercased())
                || ((folded(other.firstName), folded(other.lastName)) == names && other.birthDate == birthDate)
        }.prefix(21))
    }

    /// The relatives a usager is responsible for.
    public func relatives(of usagerID: UUID) async throws -> [Usager] {
        try await usagers("\(unescaped: Self.columns) WHERE responsible_id = \(usagerID) ORDER BY first_name")
    }

    public func update(_ usager: Usager) async throws {
        try await connection.query(
            """
            UPDATE usagers SET first_name = \(usager.firstName), last_name = \(usager.lastName), birth_date = \(usager.birthDate?.description)::date,
                email = \(usager.email), phone = \(usager.phone), updated_at = now()
            WHERE id = \(usager.id)
            """
        )
    }

    /// Referent agents of a usager (who alone receive them for follow-up motifs).
    public func referents(of usagerID: UUID) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for try await id in try await connection.query("SELECT agent_id FROM usager_referents WHERE usager_id = \(usagerID)").decode(UUID.self) {
            ids.insert(id)
        }
        return ids
    }

    /// Agents who may receive a usager for a follow-up motif: their referents and, for a
    /// relative, their responsible's.
    public func followUpAgents(of usagerID: UUID) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for try await id in try await connection.query(
            """
            SELECT agent_id FROM usager_referents WHERE usager_id = \(usagerID)
            UNION SELECT r.agent_id FROM usager_referents r JOIN usagers u ON u.responsible_id = r.usager_id WHERE u.id = \(usagerID)
            """
        ).decode(UUID.self) { ids.insert(id) }
        return ids
    }

    public func addReferent(_ agentID: UUID, to usagerID: UUID) async throws {
        try await connection.query("INSERT INTO usager_referents (usager_id, agent_id) VALUES (\(usagerID), \(agentID)) ON CONFLICT DO NOTHING")
    }

    public func removeReferent(_ agentID: UUID, from usagerID: UUID) async throws {
        try await connection.query("DELETE FROM usager_referents WHERE usager_id = \(usagerID) AND agent_id = \(agentID)")
    }

    static let columns = "SELECT id, first_name, last_name, birth_date::text, email, phone, responsible_id FROM usagers"

    private func usagers(_ query: PostgresQuery) async throws -> [Usager] {
        var found: [Usager] = []
        for try await (id, first, last, birth, email, phone, responsible) in try await connection.query(query).decode(
            (UUID, String, String, String?, String?, String?, UUID?).self
        ) {
            found.append(Usager(
                id: id, firstName: first, lastName: last, birthDate: birth.flatMap(LocalDate.init(iso:)),
                email: email, phone: phone, responsibleID: responsible
            ))
        }
        return found
    }
}
