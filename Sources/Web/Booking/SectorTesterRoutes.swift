import Booking
import Foundation
import Hummingbird
import Tenancy

/// "Test an address": the sector an address falls in and who serves it, as booking will see it.
struct SectorTesterRoutes: Sendable {
    let pages: TenantPages

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/secteurs/tester") { request, context in
            try context.require(.manageDepartement)
            let commune = (request.uri.queryParameters["commune"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            let street = (request.uri.queryParameters["voie"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            var values: [String: Any] = ["pageTitle": "Tester une adresse – \(context.tenant.name)", "commune": commune, "voie": street, "hasStreet": !street.isEmpty]
            guard !commune.isEmpty else { return pages.render("sector_tester", values, request: request, context: context) }
            var errors = FieldErrors()
            guard commune.count <= 200, street.count <= 300 else {
                errors.add("tester-commune", "La commune compte au plus 200 caractères, la voie au plus 300.")
                return pages.render("sector_tester", values.merging(errors.values) { $1 }, request: request, context: context, status: .unprocessableContent)
            }
            let outcome = try await context.database.transaction { connection -> Outcome in
                let sectors = SectorRepository(connection)
                guard let code = try await code(of: commune, sectors) else { return .ambiguous }
                return .resolved(try await sectors.resolve(communeCode: code, street: street))
            }
            switch outcome {
            case .ambiguous:
                errors.add("tester-commune", "Plusieurs communes portent ce nom : indiquez le code INSEE.")
                return pages.render("sector_tester", values.merging(errors.values) { $1 }, request: request, context: context, status: .unprocessableContent)
            case .resolved(let match):
                values["tested"] = true
                if let match { values["match"] = Self.values(match, street: street) }
                return pages.render("sector_tester", values, request: request, context: context)
            }
        }
    }

    private enum Outcome: Sendable {
        case resolved(SectorMatch?)
        case ambiguous
    }

    /// The code typed, or the code of the one commune of the zones with that name; "" for a name
    /// no zone knows (it resolves to nothing); nil when several communes share the name.
    private func code(of commune: String, _ sectors: SectorRepository) async throws -> String? {
        if let code = AddressKey.communeCode(commune) { return code }
        let key = AddressKey.of(commune)
        let named = try await sectors.communes(matching: commune, limit: 50).filter { AddressKey.of($0.name) == key }
        if named.count > 1 { return nil }
        return named.first?.code ?? ""
    }

    static func values(_ match: SectorMatch, street: String) -> [String: Any] {
        [
            "sectorID": match.sector.id.uuidString, "sectorName": match.sector.name,
            "byStreet": match.level == .street, "streetName": street,
            "organisations": match.organisations.map { ["name": $0.name] },
            "agents": match.agents.map { ["name": $0.name, "organisationName": $0.organisationName] },
        ]
    }
}
