import Agenda
import Foundation
import Identity
import PostgresNIO
import Tenancy

/// An import of the day, as the import page lists it to undo.
public struct UsagerImportEntry: Sendable, Equatable {
    public let id: UUID
    public let importedAt: Date
    public let agentName: String?
    public let createdCount: Int
    /// Created records still there (some may have been merged or deleted since).
    public let remaining: Int
}

/// Why an import cannot be undone.
public enum UsagerImportUndoError: DomainError, Equatable {
    case notFound
    case alreadyUndone
    case tooLate

    public var refusal: Refusal {
        switch self {
        case .notFound: .notFound
        case .alreadyUndone, .tooLate: .conflict
        }
    }

    public var title: String { "Annulation impossible" }

    public var french: String {
        switch self {
        case .notFound: "Cet import n’existe pas."
        case .alreadyUndone: "Cet import a déjà été annulé."
        case .tooLate: "Un import s’annule dans les 24 heures ; passé ce délai, fusionnez ou supprimez les fiches une à une."
        }
    }
}

extension UsagerImport {
    /// How long after an import it can be undone.
    public static let undoWindow: TimeInterval = 24 * 3600

    /// The imports that can still be undone, the latest first.
    public func undoable(now: Date) async throws -> [UsagerImportEntry] {
        var entries: [UsagerImportEntry] = []
        for try await (id, at, first, last, count, remaining) in try await connection.query(
            """
            SELECT i.id, i.imported_at, a.first_name, a.last_name, i.created_count,
                   (SELECT count(*)::int FROM usager_import_records r WHERE r.import_id = i.id)
            FROM usager_imports i LEFT JOIN agents a ON a.id = i.agent_id
            WHERE i.undone_at IS NULL AND i.created_count > 0 AND i.imported_at > \(now.addingTimeInterval(-Self.undoWindow))
            ORDER BY i.imported_at DESC LIMIT 20
            """
        ).decode((UUID, Date, String?, String?, Int, Int).self) {
            let name = first.map { "\($0) \(last ?? "")" }
            entries.append(UsagerImportEntry(id: id, importedAt: at, agentName: name, createdCount: count, remaining: remaining))
        }
        return entries
    }

    /// Deletes the records `importID` created that nothing has touched since (no change, no
    /// appointment, no online account, no relative of their own left behind); the others stay.
    /// Completed records keep what the import filled in. Returns (deleted, kept).
    public func undo(_ importID: UUID, actor: UUID?, ip: String?, now: Date) async throws -> (deleted: Int, kept: Int) {
        var importedAt: Date?, undone = false
        for try await (at, undoneAt) in try await connection.query(
            "SELECT imported_at, undone_at FROM usager_imports WHERE id = \(importID) FOR UPDATE"
        ).decode((Date, Date?).self) {
            importedAt = at
            undone = undoneAt != nil
        }
        guard let importedAt else { throw UsagerImportUndoError.notFound }
        if undone { throw UsagerImportUndoError.alreadyUndone }
        guard now.timeIntervalSince(importedAt) <= Self.undoWindow else { throw UsagerImportUndoError.tooLate }
        var deleted = 0
        for try await count in try await connection.query(
            """
            WITH mine AS (SELECT usager_id AS id FROM usager_import_records WHERE import_id = \(importID)),
            untouched AS (
                SELECT u.id FROM usagers u JOIN mine m ON m.id = u.id
                WHERE u.updated_at = u.created_at AND u.account_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM rdv_participants p WHERE p.usager_id = u.id)
            ),
            deletable AS (
                SELECT t.id FROM untouched t
                WHERE NOT EXISTS (SELECT 1 FROM usagers c WHERE c.responsible_id = t.id AND c.id NOT IN (SELECT id FROM untouched))
            ),
            gone AS (DELETE FROM usagers u USING deletable d WHERE u.id = d.id RETURNING u.id)
            SELECT count(*)::int FROM gone
            """
        ).decode(Int.self) { deleted = count }
        var kept = 0
        for try await count in try await connection.query(
            "SELECT count(*)::int FROM usager_import_records WHERE import_id = \(importID)"
        ).decode(Int.self) { kept = count }
        try await connection.query("UPDATE usager_imports SET undone_at = \(now) WHERE id = \(importID)")
        try await AuditLog(connection).record(
            .usagersImportUndone, actor: actor, details: ["import": importID.uuidString, "deleted": String(deleted), "kept": String(kept)], ip: ip
        )
        return (deleted, kept)
    }
}
