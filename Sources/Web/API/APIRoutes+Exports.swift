import Exports
import Foundation
import Hummingbird

/// Exports through the API: the same files, perimeter rule and journal as the export page, for
/// the département's dashboards that fetch them on a schedule.
extension APIRoutes {
    func registerExports(on api: RouterGroup<APIRequestContext>) {
        for kind in ExportRequest.Kind.allCases {
            api.get("/exports/\(kind.rawValue)") { request, context in try await export(kind, request, context) }
        }
    }

    /// API names of the export page's fields.
    private static let fieldNames = ["du": "from", "au": "to", "organisation": "organisation_id", "motif": "motif_id", "statut": "status", "format": "format"]

    private func export(_ kind: ExportRequest.Kind, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        var query = APIQuery(request)
        var fields: [String: String] = [:]
        for (field, name) in Self.fieldNames {
            if let value = query.text(name) { fields[field] = value }
        }
        try query.finish()
        let format = SheetFormat(rawValue: fields["format"] ?? "csv")
        do {
            guard let format else { throw ExportError.invalidFormat }
            let wanted = ExportRequest(kind: kind, format: format, filter: try ExportFilter.parse(fields))
            let actor = context.agent.actor, timeZone = context.tenant.timeZone
            let prepared = try await context.database.transaction { connection in
                try await Exports.prepare(wanted, actor: actor, timeZone: timeZone, connection: connection)
            }
            let today = context.tenant.clock.localDate(of: Date()).description
            return ExportRoutes.file(prepared, database: context.database, ip: context.remoteAddress, logger: context.logger, today: today)
        } catch let error as ExportError {
            // A refusal about one parameter names it, like every other invalid field.
            guard let field = error.field.flatMap({ Self.fieldNames[$0] }) else { throw error }
            throw APIProblem.invalid([.init(field: field, detail: error.french)])
        }
    }
}
