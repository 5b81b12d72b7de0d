import Agenda
import Exports
import Foundation
import Hummingbird
import Identity
import Logging
import Scheduling
import Tenancy

/// "Exports": RDVs and usagers as CSV or XLSX for the département's administrators (all of
/// it) and organisations' administrators (theirs), streamed as PostgreSQL yields the rows and
/// journalled with who asked, the filter and the row count.
///
/// The download is a POST with the form's CSRF token: a link on another site cannot make an
/// administrator's browser export (and journal in their name) the usagers' data.
struct ExportRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/exports") { request, context in try await page(request, context, fields: [:]) }
        group.post("/exports") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            do {
                return try await download(fields, context)
            } catch let error as ExportError {
                return try await page(request, context, fields: fields, error: error)
            }
        }
    }

    private func download(_ fields: [String: String], _ context: AgentRequestContext) async throws -> Response {
        guard let kind = ExportRequest.Kind(rawValue: fields["donnees"] ?? "") else { throw ExportError.invalidFormat }
        guard let format = SheetFormat(rawValue: fields["format"] ?? "") else { throw ExportError.invalidFormat }
        let request = ExportRequest(kind: kind, format: format, filter: try ExportFilter.parse(fields))
        let actor = context.agent.actor, timeZone = context.tenant.timeZone
        let prepared = try await context.database.transaction { connection in
            try await Exports.prepare(request, actor: actor, timeZone: timeZone, connection: connection)
        }
        let today = context.tenant.clock.localDate(of: Date()).description
        return Self.file(prepared, database: context.database, ip: context.remoteAddress, logger: context.logger, today: today)
    }

    /// The export as a download, its body written as PostgreSQL yields the rows; for the page
    /// and the API alike.
    static func file(_ prepared: PreparedExport, database: TenantDatabase, ip: String?, logger: Logger, today: String) -> Response {
        let headers: HTTPFields = [
            .contentType: prepared.contentType,
            .contentDisposition: "attachment; filename=\"\(prepared.fileName(today: today))\"",
            // Personal data: no cache keeps a copy.
            .cacheControl: "no-store",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let sink = BodySink(writer)
            try await Exports.stream(prepared, database: database, ip: ip, logger: logger) { bytes in
                try await sink.write(bytes)
            }
            try await sink.finish()
        })
    }

    private func page(
        _ request: Request, _ context: AgentRequestContext, fields: [String: String], error: ExportError? = nil
    ) async throws -> Response {
        let agent = context.agent, actor = agent.actor
        guard agent.role == .deptAdmin || agent.role == .admin else { throw PublicError(ExportError.forbidden) }
        let perimeter = agent.role == .deptAdmin ? nil : agent.organisationID
        let (organisations, motifs, recent) = try await context.database.transaction { connection in
            let organisations = try await OrganisationRepository(connection).all().filter { perimeter == nil || $0.id == perimeter }
            let motifs = try await AgendaCatalog(connection).motifs(organisationID: perimeter)
            let archived = try await AgendaCatalog(connection).motifs(organisationID: perimeter, archived: true)
            return (organisations, motifs + archived, try await Exports.recent(actor: actor, connection: connection))
        }
        let organisationNames = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id.uuidString, $0.name) })
        let motifNames = Dictionary(motifs.map { ($0.id.uuidString, $0.name) }, uniquingKeysWith: { first, _ in first })
        let timestamps = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        var values: [String: Any] = [
            "pageTitle": "Exports – \(context.tenant.name)",
            "allOrganisations": perimeter == nil,
            "organisations": organisations.map { ["id": $0.id.uuidString, "name": $0.name, "selected": fields["organisation"] == $0.id.uuidString] },
            "motifs": motifs.map { motif in
                ["id": motif.id.uuidString, "name": "\(motif.name) (\(organisationNames[motif.organisationID.uuidString] ?? ""))",
                 "selected": fields["motif"] == motif.id.uuidString]
            },
            "statuses": RdvStatus.allCases.map { ["value": $0.rawValue, "name": $0.frenchName, "selected": fields["statut"] == $0.rawValue] },
            "form": fields,
            "usagers": fields["donnees"] == "usagers",
            "xlsx": fields["format"] == "xlsx",
            "recent": recent.map { record in
                [
                    "when": timestamps.string(from: record.occurredAt), "who": record.agentName ?? "agent supprimé",
                    "what": record.kind == .rdvs ? "RDV" : "Usagers", "format": record.format.uppercased(), "rows": record.rows,
                    "interrupted": !record.complete, "filter": Self.summary(record.filter, organisations: organisationNames, motifs: motifNames),
                ] as [String: Any]
            },
            "hasRecent": !recent.isEmpty,
        ]
        if let error {
            values["errors"] = [error.french]
            if let field = error.field { values["invalid_\(field)"] = true }
        }
        return pages.render("exports", values, request: request, context: context, status: error?.status ?? .ok)
    }

    /// The journal's filter in words: "du 01/01/2026 au 31/12/2026 · Organisation · Absent non excusé".
    static func summary(_ filter: [String: String], organisations: [String: String], motifs: [String: String]) -> String {
        func day(_ iso: String?) -> String? { iso.flatMap(LocalDate.init(iso:)).map(FrenchDates.numeric) }
        var parts: [String] = []
        switch (day(filter["du"]), day(filter["au"])) {
        case let (from?, to?): parts.append("du \(from) au \(to)")
        case let (from?, nil): parts.append("depuis le \(from)")
        case let (nil, to?): parts.append("jusqu’au \(to)")
        case (nil, nil): break
        }
        if let id = filter["organisation"] { parts.append(organisations[id] ?? "autre organisation") }
        if let id = filter["motif"] { parts.append("motif « \(motifs[id] ?? "supprimé") »") }
        if let status = filter["statut"].flatMap(RdvStatus.init(rawValue:)) { parts.append(status.frenchName) }
        return parts.isEmpty ? "tout le département" : parts.joined(separator: " · ")
    }
}

/// The response's writer, lent to the export's stream. Only the response's own task uses it,
/// one write after the other, which is what the unchecked conformance relies on.
private final class BodySink: @unchecked Sendable {
    private var writer: any ResponseBodyWriter

    init(_ writer: any ResponseBodyWriter) {
        self.writer = writer
    }

    func write(_ bytes: [UInt8]) async throws {
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    func finish() async throws {
        try await writer.finish(nil)
    }
}
