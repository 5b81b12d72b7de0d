import Foundation
import PostgresNIO
import Tenancy

extension SectorRepository {
    /// The sector of an address and who serves it: the zone of its street when the commune has
    /// one, else the zone of the whole commune; nil when no zone covers it. `street` is compared
    /// through `AddressKey`, so accents, case and punctuation do not matter.
    public func resolve(communeCode: String, street: String?) async throws -> SectorMatch? {
        guard let code = AddressKey.communeCode(communeCode) else { return nil }
        let streetKey = AddressKey.of(street ?? "")
        // '' is the key of the commune's own zone: a street's zone sorts first when there is one.
        let rows = try await connection.query(
            """
            SELECT s.id, s.name, z.street_key <> '' FROM sector_zones z JOIN sectors s ON s.id = z.sector_id
            WHERE z.commune_code = \(code) AND z.street_key IN ('', \(streetKey))
            ORDER BY z.street_key DESC LIMIT 1
            """
        ).decode((UUID, String, Bool).self)
        for try await (id, name, byStreet) in rows {
            let sector = Sector(id: id, name: name)
            let (organisations, agents) = try await serving(sectorID: id)
            return SectorMatch(sector: sector, level: byStreet ? .street : .commune, organisations: organisations, agents: agents)
        }
        return nil
    }

    /// Organisations and enabled agents a sector is attributed to.
    private func serving(sectorID: UUID) async throws -> ([SectorMatch.ServingOrganisation], [SectorMatch.ServingAgent]) {
        var organisations: [SectorMatch.ServingOrganisation] = []
        var agents: [SectorMatch.ServingAgent] = []
        for attribution in try await attributions(of: sectorID) {
            if let agentID = attribution.agentID, let agentName = attribution.agentName {
                agents.append(.init(id: agentID, name: agentName, organisationID: attribution.organisationID, organisationName: attribution.organisationName))
            } else if attribution.agentID == nil {
                organisations.append(.init(id: attribution.organisationID, name: attribution.organisationName))
            }
        }
        if !agents.isEmpty {
            var enabled = Set<UUID>()
            for try await id in try await connection.query(
                "SELECT id FROM agents WHERE id = ANY(\(agents.map(\.id))) AND disabled_at IS NULL"
            ).decode(UUID.self) { enabled.insert(id) }
            agents.removeAll { !enabled.contains($0.id) }
        }
        return (organisations, agents)
    }

    /// Communes of the département's zones whose name contains `text` (names starting with it
    /// first), or whose code starts with it; accents and case do not matter.
    public func communes(matching text: String, limit: Int = 10) async throws -> [CommuneSuggestion] {
        // A key holds letters, digits and spaces only: no LIKE wildcard can come in through it.
        let key = AddressKey.of(text)
        guard !key.isEmpty else { return [] }
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        // "-" starts no code: a text that cannot begin one matches by name only.
        let code = trimmed.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? trimmed : "-"
        var communes: [CommuneSuggestion] = []
        for try await (code, name) in try await connection.query(
            """
            SELECT commune_code, min(commune_name) FROM sector_zones
            WHERE commune_key LIKE '%' || \(key) || '%' OR commune_code LIKE \(code) || '%'
            GROUP BY commune_code
            ORDER BY bool_or(commune_key LIKE \(key) || '%') DESC, min(commune_key), commune_code
            LIMIT \(limit)
            """
        ).decode((String, String).self) {
            communes.append(CommuneSuggestion(code: code, name: name))
        }
        return communes
    }

    /// Streets of a commune's zones whose name contains `text` (those starting with it first).
    public func streets(communeCode: String, matching text: String, limit: Int = 10) async throws -> [String] {
        let key = AddressKey.of(text)
        guard let code = AddressKey.communeCode(communeCode), !key.isEmpty else { return [] }
        var streets: [String] = []
        for try await name in try await connection.query(
            """
            SELECT street_name FROM sector_zones
            WHERE commune_code = \(code) AND street_key <> ''
              AND (street_key LIKE '%' || \(key) || '%')
            ORDER BY street_key LIKE \(key) || '%' DESC, street_key
            LIMIT \(limit)
            """
        ).decode(String.self) {
            streets.append(name)
        }
        return streets
    }
}
