import Booking
import Foundation
import Hummingbird
import Tenancy

/// Zones in and out as CSV: the export a spreadsheet opens, the import that takes all or nothing.
struct SectorExchangeRoutes: Sendable {
    let forms: Forms
    let list: SectorListPage

    /// A département's streets fit well below this; a larger file is refused before parsing.
    static let maximumImportBytes = 8_000_000

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/secteurs/zones.csv") { _, context in
            try context.require(.manageDepartement)
            let zones = try await context.database.transaction { try await SectorRepository($0).exportZones() }
            return Response.csvAttachment(ZoneCSV.write(zones), fileName: "zones-\(context.tenant.slug).csv")
        }
        group.post("/secteurs/import") { request, context in
            let fields = try await forms.verifiedUpload(of: request, sessionToken: context.sessionToken, maximumBytes: Self.maximumImportBytes)
            try context.require(.manageDepartement)
            return try await importZones(fields, request, context)
        }
    }

    private func importZones(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let text = UploadedCSV.text(of: fields) else {
            return try await refused([UploadedCSV.missing], request, context)
        }
        let lines: [ZoneLine]
        do {
            lines = try ZoneCSV.parse(text)
        } catch {
            return try await refused(error.issues, request, context)
        }
        let replacing = fields["replace"] == "on"
        let summary = try await context.database.transaction { connection in
            try await SectorRepository(connection).importZones(lines, replacingAll: replacing)
        }
        var notice = "Import terminé : \(summary.zonesAdded) zone(s) ajoutée(s), \(summary.zonesMoved) modifiée(s), \(summary.zonesUnchanged) inchangée(s)"
        if replacing { notice += ", \(summary.zonesRemoved) supprimée(s)" }
        notice += "; \(summary.sectorsCreated) secteur(s) créé(s)."
        return try await list.render(request, context, values: ["notice": notice])
    }

    private func refused(_ issues: [ZoneCSVError.Issue], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let count = issues.count == 1 ? "1 erreur" : "\(issues.count) erreurs"
        return try await list.render(request, context, values: [
            "hasImportIssues": true, "importIssueCount": count,
            "importIssues": issues.map { ["line": $0.line, "reason": $0.reason] as [String: Any] },
        ], status: .unprocessableContent)
    }
}
