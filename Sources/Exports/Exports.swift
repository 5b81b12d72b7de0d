import Foundation
import Identity
import Logging
import PostgresNIO
import Privacy
import Tenancy

/// An export checked and ready to run: who asks for what.
public struct PreparedExport: Sendable {
    public let request: ExportRequest
    public let actor: Actor
    public let timeZone: String

    /// rdv-2026-12-03.csv
    public func fileName(today: String) -> String {
        "\(request.kind == .rdvs ? "rdv" : "usagers")-\(today).\(request.format.rawValue)"
    }

    public var contentType: String { request.format.contentType }

    var source: any ExportSource { request.kind.source }
}

/// An export in the journal, for the export page.
public struct ExportRecord: Sendable {
    public let occurredAt: Date
    public let kind: ExportRequest.Kind
    public let agentName: String?
    public let format: String
    public let rows: Int
    public let complete: Bool
    public let filter: [String: String]
}

/// Exports of RDVs and usagers, the same for every caller: the perimeter rule (a département
/// administrator exports anything, an organisation's administrator their organisation only),
/// the stream that keeps memory flat whatever the row count, and the journal entry of each.
public enum Exports {
    /// Bytes gathered before each write: large enough for few writes, small enough to stay flat.
    static let chunk = 64 * 1024

    /// Checks the request and the caller's right to it, in the caller's transaction. An
    /// organisation administrator's export without an organisation is one of theirs.
    public static func prepare(
        _ request: ExportRequest, actor: Actor, timeZone: String, connection: some SQLSession
    ) async throws -> PreparedExport {
        var request = request
        if request.filter.organisationID == nil, actor.role == .admin { request.filter.organisationID = actor.organisationID }
        if let organisationID = request.filter.organisationID {
            guard Policy.can(actor, .manageOrganisation(organisationID)) else { throw ExportError.forbidden }
            let known = try await connection.query("SELECT 1 FROM organisations WHERE id = \(organisationID)").collect()
            guard !known.isEmpty else { throw ExportError.unknownOrganisation }
        } else {
            guard Policy.can(actor, .manageDepartement) else { throw ExportError.forbidden }
        }
        if let motifID = request.filter.motifID {
            let motif = try await connection.query(
                "SELECT 1 FROM motifs WHERE id = \(motifID) AND (\(request.filter.organisationID)::uuid IS NULL OR organisation_id = \(request.filter.organisationID))"
            ).collect()
            guard !motif.isEmpty else { throw ExportError.unknownMotif }
        }
        // Counted only for a format with a row limit: a CSV export need not read everything twice.
        if let maximum = request.format.maximumRows {
            var count = 0
            for try await value in try await connection.query(request.kind.source.count(request.filter, timeZone: timeZone)).decode(Int64.self) {
                count = Int(value)
            }
            if count > maximum { throw ExportError.tooManyRows(count: count, maximum: maximum) }
        }
        return PreparedExport(request: request, actor: actor, timeZone: timeZone)
    }

    /// Runs the export, handing `write` the file piece by piece as the rows come from
    /// PostgreSQL; returns the number of rows. The journal gets the entry whatever happens: a
    /// download cut short is recorded with the rows that left.
    @discardableResult
    public static func stream(
        _ prepared: PreparedExport, database: TenantDatabase, ip: String?, logger: Logger,
        write: @escaping @Sendable ([UInt8]) async throws -> Void
    ) async throws -> Int {
        let counter = RowCounter()
        do {
            try await database.transaction { connection in
                let source = prepared.source
                var sheet = prepared.request.format.writer(sheetName: source.sheetName)
                try sheet.header(source.columns)
                let rows = try await connection.query(source.rows(prepared.request.filter, timeZone: prepared.timeZone))
                for try await row in rows {
                    let cells = row.makeRandomAccess()
                    try sheet.row(source.cells(cells))
                    counter.usagers.formUnion(try source.usagerIDs(cells))
                    counter.rows += 1
                    if sheet.pendingBytes >= chunk { try await write(sheet.drain()) }
                }
                try sheet.finish()
                try await write(sheet.drain())
            }
        } catch {
            logger.warning("export interrupted", metadata: ["kind": "\(prepared.request.kind.rawValue)", "rows": "\(counter.rows)"])
            try? await journal(prepared, rows: counter.rows, usagers: counter.usagers, complete: false, database: database, ip: ip)
            throw error
        }
        try await journal(prepared, rows: counter.rows, usagers: counter.usagers, complete: true, database: database, ip: ip)
        return counter.rows
    }

    /// The journal's entry, and one access-trail entry per usager whose data left (those of the
    /// rows written, also when the download was cut short).
    private static func journal(
        _ prepared: PreparedExport, rows: Int, usagers: Set<UUID>, complete: Bool, database: TenantDatabase, ip: String?
    ) async throws {
        var details = prepared.request.filter.journal
        details["format"] = prepared.request.format.rawValue
        details["lignes"] = String(rows)
        details["complet"] = complete ? "oui" : "non"
        let event: AuditLog.Event = prepared.request.kind == .rdvs ? .rdvsExported : .usagersExported
        let entry = details
        try await database.transaction { connection in
            try await AuditLog(connection).record(event, actor: prepared.actor.agentID, details: entry, ip: ip)
            try await AccessTrail(connection).record(.exported, usagers: Array(usagers), by: .init(agentID: prepared.actor.agentID, ip: ip))
        }
    }

    /// The latest exports of the caller's perimeter, newest first.
    public static func recent(actor: Actor, connection: some SQLSession, limit: Int = 20) async throws -> [ExportRecord] {
        guard actor.role == .deptAdmin || actor.role == .admin else { throw ExportError.forbidden }
        let organisationID = actor.role == .deptAdmin ? nil : actor.organisationID
        let rows = try await connection.query(
            """
            SELECT e.occurred_at, e.action, a.first_name || ' ' || a.last_name, e.details::text
            FROM audit_events e LEFT JOIN agents a ON a.id = e.actor_agent_id
            WHERE e.action IN ('export.rdvs', 'export.usagers')
              AND (\(organisationID)::uuid IS NULL OR e.details->>'organisation' = \(organisationID?.uuidString))
            ORDER BY e.id DESC LIMIT \(limit)
            """
        )
        var records: [ExportRecord] = []
        for try await (at, action, name, json) in rows.decode((Date, String, String?, String).self) {
            let details = (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
            records.append(
                ExportRecord(
                    occurredAt: at, kind: action == "export.rdvs" ? .rdvs : .usagers, agentName: name,
                    format: details["format"] ?? "", rows: Int(details["lignes"] ?? "") ?? 0,
                    complete: details["complet"] == "oui",
                    filter: details.filter { !["format", "lignes", "complet"].contains($0.key) }
                )
            )
        }
        return records
    }
}

/// Rows streamed so far, readable after the transaction has ended (or failed).
private final class RowCounter: @unchecked Sendable {
    // Only the export's own task touches it, one step after the other.
    var rows = 0
    var usagers: Set<UUID> = []
}
