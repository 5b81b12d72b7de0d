import Booking
import Foundation
import Hummingbird
import Tenancy

/// One sector's page: its zones, adding and removing a commune or a street, deleting the sector.
struct SectorZoneRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms
    let list: SectorListPage

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/secteurs/:id") { request, context in
            try context.require(.manageDepartement)
            return try await page(try sectorID(context), request, context)
        }
        group.post("/secteurs/:id/zones") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            return try await addZone(fields, to: try sectorID(context), request, context)
        }
        group.post("/secteurs/:id/zones/retirer") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            let sectorID = try sectorID(context)
            guard let zoneID = UUID(uuidString: fields["zone"] ?? "") else { throw PublicError.pageNotFound }
            let removed = try await context.database.transaction { try await SectorRepository($0).removeZone(id: zoneID, of: sectorID) }
            guard removed else { throw PublicError.pageNotFound }
            return try await page(sectorID, request, context, values: ["notice": "Zone retirée."])
        }
        group.post("/secteurs/:id/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            let sectorID = try sectorID(context)
            let deleted = try await context.database.transaction { try await SectorRepository($0).delete(id: sectorID) }
            guard deleted else { throw PublicError.pageNotFound }
            return try await list.render(request, context, values: ["notice": "Secteur supprimé avec ses zones et ses attributions."])
        }
    }

    private func sectorID(_ context: AgentRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        return id
    }

    private func addZone(_ fields: [String: String], to sectorID: UUID, _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let code = AddressKey.communeCode(fields["code"] ?? "")
        let commune = (fields["commune"] ?? "").trimmingCharacters(in: .whitespaces)
        let street = (fields["voie"] ?? "").trimmingCharacters(in: .whitespaces)
        var errors = FieldErrors()
        if code == nil { errors.add("zone-code", "Le code INSEE compte 5 caractères, par exemple 62041 ou 2A004.") }
        if AddressKey.of(commune).isEmpty || commune.storedLength > 200 { errors.add("zone-commune", "Le nom de la commune compte de 1 à 200 caractères.") }
        if street.storedLength > 300 || (!street.isEmpty && AddressKey.of(street).isEmpty) {
            errors.add("zone-voie", "Le nom de la voie compte au plus 300 caractères, dont au moins une lettre ou un chiffre.")
        }
        let back = ["input": fields] as [String: Any]
        guard errors.isEmpty, let code else {
            return try await page(sectorID, request, context, values: errors.values.merging(back) { $1 }, status: .unprocessableContent)
        }
        let addition = try await context.database.transaction { connection -> SectorRepository.ZoneAddition? in
            let sectors = SectorRepository(connection)
            guard try await sectors.find(id: sectorID) != nil else { return nil }
            return try await sectors.addZone(to: sectorID, communeCode: code, communeName: commune, streetName: street.isEmpty ? nil : street)
        }
        switch addition {
        case nil:
            throw PublicError.pageNotFound
        case .added:
            let place = street.isEmpty ? "\(commune) (toute la commune)" : "\(street), \(commune)"
            return try await page(sectorID, request, context, values: ["notice": "Zone « \(place) » ajoutée."])
        case .taken(let sectorName):
            let place = street.isEmpty ? "Cette commune" : "Cette voie"
            errors.add(street.isEmpty ? "zone-code" : "zone-voie", "\(place) appartient déjà au secteur « \(sectorName) ».")
            return try await page(sectorID, request, context, values: errors.values.merging(back) { $1 }, status: .conflict)
        }
    }

    private func page(_ sectorID: UUID, _ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let found = try await context.database.transaction { connection -> (Sector, [SectorZone], [SectorAttribution])? in
            let sectors = SectorRepository(connection)
            guard let sector = try await sectors.find(id: sectorID) else { return nil }
            return (sector, try await sectors.zones(of: sectorID), try await sectors.attributions(of: sectorID))
        }
        guard let (sector, zones, attributions) = found else { throw PublicError.pageNotFound }
        var all = values
        all["pageTitle"] = "Secteur \(sector.name) – \(context.tenant.name)"
        all["sectorID"] = sector.id.uuidString
        all["sectorName"] = sector.name
        all["attributions"] = attributions.map(SectorListPage.values)
        all["hasZones"] = !zones.isEmpty
        all["zones"] = zones.map { zone in
            [
                "zoneID": zone.id.uuidString, "communeCode": zone.communeCode, "communeName": zone.communeName,
                "streetName": zone.streetName ?? false,
                "label": zone.streetName.map { "\($0), \(zone.communeName)" } ?? "\(zone.communeName) (toute la commune)",
            ] as [String: Any]
        }
        return pages.render("sector", all, request: request, context: context, status: status)
    }
}
