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
    /// Postal address as the services write it (free text), when known.
    public var address: String? = nil

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
    public func search(_ text: String) async throws -> [(id: UUID, name: String, phone: String?, birthDate: LocalDate?, appointments: Int)] {
        let pattern = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        var found: [(id: UUID, name: String, phone: String?, birthDate: LocalDate?, appointments: Int)] = []
        for try await (id, first, last, phone, birth, count) in try await connection.query(
            """
            WITH matching AS MATERIALIZED (
                SELECT id, first_name, last_name, phone, birth_date FROM usagers
                WHERE lower(last_name) LIKE \(pattern) OR lower(first_name) LIKE \(pattern)
            )
            SELECT u.id, u.first_name, u.last_name, u.phone, u.birth_date::text, (SELECT count(*)::int FROM rdv_participants p WHERE p.usager_id = u.id)
            FROM matching u
            ORDER BY lower(u.last_name), lower(u.first_name) LIMIT 50
            """
        ).decode((UUID, String, String, String?, String?, Int).self) {
            found.append((id, "\(first) \(last)", phone, birth.flatMap(LocalDate.init(iso:)), count))
        }
        return found
    }

    public func create(
        firstName: String, lastName: String, phone: String?, email: String?, birthDate: LocalDate? = nil, responsibleID: UUID? = nil, address: String? = nil
    ) async throws -> UUID {
        for try await id in try await connection.query(
            """
            INSERT INTO usagers (first_name, last_name, phone, email, birth_date, responsible_id, address)
            VALUES (\(firstName), \(lastName), \(phone), \(email), \(birthDate?.description)::date, \(responsibleID), \(address)) RETURNING id
            """
        ).decode(UUID.self) { return id }
        throw MissingReturnedRow("usagers")
    }

    /// One usager; `lock` holds the row until the transaction ends (a write checking a version).
    public func find(_ usagerID: UUID, lock: Bool = false) async throws -> Usager? {
        try await usagers("\(unescaped: Self.columns) WHERE id = \(usagerID) \(unescaped: lock ? "FOR UPDATE" : "")").first
    }

    /// The records of `usagerIDs` that exist, by name.
    public func find(_ usagerIDs: [UUID]) async throws -> [Usager] {
        try await usagers("\(unescaped: Self.columns) WHERE id = ANY(\(usagerIDs)) ORDER BY lower(last_name), lower(first_name), id")
    }

    /// Records that may be the same person: the same names (ignoring case and accents) and
    /// birth date, or the same phone, or the same email; the oldest first, at most 21.
    public func duplicateCandidates(firstName: String, lastName: String, birthDate: LocalDate?, phone: String?, email: String?) async throws -> [Usager] {
        let probe = UsagerIdentity(firstName: firstName, lastName: lastName, birthDate: birthDate, phone: phone, email: email)
        return try await duplicateCandidates(of: [probe])[0]
    }

    /// The records that may be the same person as each of `probes` (same rule as above), in
    /// one reading of the usagers whatever their number: an import checks thousands at once.
    public func duplicateCandidates(of probes: [UsagerIdentity]) async throws -> [[Usager]] {
        guard !probes.isEmpty else { return [] }
        let dated = probes.filter { $0.birthDate != nil }
        let undatedNames = Array(Set(probes.filter { $0.birthDate == nil }.map(\.lastName)))
        let phones = Array(Set(probes.compactMap(\.phone))), emails = Array(Set(probes.compactMap(\.email)))
        // One join per key (each can use its index, or hash the probes): a single WHERE with
        // OR between arrays reads every usager against every probe. Names are narrowed with the
        // case- and accent-blind collation `name_folded`; `UsagerNameKey` decides, here.
        let rows = try await usagers(
            """
            \(unescaped: Self.columns)
            WHERE id IN (
                SELECT u.id FROM usagers u
                JOIN unnest(\(dated.map { $0.birthDate?.description ?? "" })::date[], \(dated.map(\.lastName))::text[]) AS p(born, name)
                  ON u.birth_date = p.born AND u.last_name = p.name COLLATE name_folded
                UNION SELECT u.id FROM usagers u JOIN unnest(\(undatedNames)::text[]) n
                  ON (u.last_name COLLATE name_folded) = n WHERE u.birth_date IS NULL
                UNION SELECT u.id FROM usagers u JOIN unnest(\(phones)::text[]) p ON u.phone = p
                UNION SELECT u.id FROM usagers u JOIN unnest(\(emails)::text[]) e ON lower(u.email) = lower(e)
            )
            ORDER BY created_at, id
            """
        )
        var byName: [UsagerNameKey: [Int]] = [:], byPhone: [String: [Int]] = [:], byEmail: [String: [Int]] = [:]
        for (index, row) in rows.enumerated() {
            byName[UsagerNameKey(row.firstName, row.lastName, row.birthDate), default: []].append(index)
            if let phone = row.phone { byPhone[phone, default: []].append(index) }
            if let email = row.email { byEmail[email.lowercased(), default: []].append(index) }
        }
        return probes.map { probe in
            var found = Set(byName[UsagerNameKey(probe.firstName, probe.lastName, probe.birthDate)] ?? [])
            if let phone = probe.phone { found.formUnion(byPhone[phone] ?? []) }
            if let email = probe.email { found.formUnion(byEmail[email.lowercased()] ?? []) }
            return found.sorted().prefix(21).map { rows[$0] }
        }
    }

    /// Fills what a record lacks (birth date, contacts, address) from another source of the same
    /// person, never replacing what it holds: a merge, or an imported line completing a record.
    public func fillMissing(of usagerID: UUID, birthDate: LocalDate?, phone: String?, email: String?, address: String?) async throws {
        try await connection.query(
            """
            UPDATE usagers SET birth_date = coalesce(birth_date, \(birthDate?.description)::date),
                email = coalesce(email, \(email)), phone = coalesce(phone, \(phone)), address = coalesce(address, \(address)),
                updated_at = now()
            WHERE id = \(usagerID)
            """
        )
    }

    /// A record to create among many (an import).
    public struct NewRecord: Sendable {
        public let id: UUID
        public let identity: UsagerIdentity
        public let address: String?
        /// The usager responsible for this one, created in the same statement or already there.
        public let responsibleID: UUID?

        public init(id: UUID, identity: UsagerIdentity, address: String?, responsibleID: UUID? = nil) {
            (self.id, self.identity, self.address, self.responsibleID) = (id, identity, address, responsibleID)
        }
    }

    /// Creates many usagers in one statement (an import); a relative and its responsible may be
    /// in the same batch (the foreign key is checked once the statement has written them all).
    public func createAll(_ records: [NewRecord]) async throws {
        guard !records.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO usagers (id, first_name, last_name, birth_date, phone, email, address, responsible_id)
            SELECT id, first, last, nullif(birth, '')::date, nullif(phone, ''), nullif(email, ''), nullif(address, ''), nullif(responsible, '')::uuid
            FROM unnest(\(records.map(\.id))::uuid[], \(records.map(\.identity.firstName))::text[], \(records.map(\.identity.lastName))::text[],
                \(records.map { $0.identity.birthDate?.description ?? "" })::text[], \(records.map { $0.identity.phone ?? "" })::text[],
                \(records.map { $0.identity.email ?? "" })::text[], \(records.map { $0.address ?? "" })::text[],
                \(records.map { $0.responsibleID?.uuidString ?? "" })::text[])
                AS t(id, first, last, birth, phone, email, address, responsible)
            """
        )
    }

    /// Attaches a record to the usager responsible for it, unless it already answers to someone,
    /// answers for someone itself (a relative has no relatives), or is that usager.
    public func attachIfFree(_ usagerID: UUID, to responsibleID: UUID) async throws {
        try await connection.query(
            """
            UPDATE usagers u SET responsible_id = \(responsibleID), updated_at = now()
            WHERE u.id = \(usagerID) AND u.id <> \(responsibleID) AND u.responsible_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM usagers r WHERE r.responsible_id = u.id)
              AND (SELECT responsible_id FROM usagers WHERE id = \(responsibleID)) IS NULL
            """
        )
    }

    /// Adds referent agents to many usagers at once (an import); pairs already there are kept.
    public func addReferents(_ pairs: [(usagerID: UUID, agentID: UUID)]) async throws {
        guard !pairs.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO usager_referents (usager_id, agent_id)
            SELECT * FROM unnest(\(pairs.map(\.usagerID))::uuid[], \(pairs.map(\.agentID))::uuid[]) ON CONFLICT DO NOTHING
            """
        )
    }

    /// The relatives a usager is responsible for.
    public func relatives(of usagerID: UUID) async throws -> [Usager] {
        try await usagers("\(unescaped: Self.columns) WHERE responsible_id = \(usagerID) ORDER BY first_name")
    }

    public func update(_ usager: Usager) async throws {
        try await connection.query(
            """
            UPDATE usagers SET first_name = \(usager.firstName), last_name = \(usager.lastName), birth_date = \(usager.birthDate?.description)::date,
                email = \(usager.email), phone = \(usager.phone), address = \(usager.address), updated_at = now()
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

    static let columns = "SELECT id, first_name, last_name, birth_date::text, email, phone, responsible_id, address FROM usagers"

    private func usagers(_ query: PostgresQuery) async throws -> [Usager] {
        var found: [Usager] = []
        for try await (id, first, last, birth, email, phone, responsible, address) in try await connection.query(query).decode(
            (UUID, String, String, String?, String?, String?, UUID?, String?).self
        ) {
            found.append(Usager(
                id: id, firstName: first, lastName: last, birthDate: birth.flatMap(LocalDate.init(iso:)),
                email: email, phone: phone, responsibleID: responsible, address: address
            ))
        }
        return found
    }
}

/// Names compared the way people read them (case, accents and surrounding spaces ignored),
/// with the birth date: two records with the same key are probably the same person.
public struct UsagerNameKey: Hashable, Sendable {
    let first: String
    let last: String
    let birthDate: LocalDate?

    public init(_ firstName: String, _ lastName: String, _ birthDate: LocalDate?) {
        func folded(_ text: String) -> String { text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).trimmingCharacters(in: .whitespaces) }
        (first, last, self.birthDate) = (folded(firstName), folded(lastName), birthDate)
    }
}
