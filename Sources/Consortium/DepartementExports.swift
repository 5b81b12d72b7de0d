import Foundation
import Identity
import PostgresNIO
import Tenancy

/// An archive of a département's data asked for on the console.
public struct ExportRequest: Sendable, Identifiable {
    public enum State: String, Sendable {
        case pending, running, failed, done, expired
    }

    public let id: UUID
    public let tenantID: Int
    public let requestedAt: Date
    public let state: State
    /// The archive's name in the export folder, once written.
    public let fileName: String?
    public let bytes: Int?
    public let totalRows: Int?
    public let sha256: String?
    public let error: String?
    public let completedAt: Date?
    /// When the file is deleted from the export folder.
    public let expiresAt: Date?
}

public enum ExportError: DomainError, Equatable {
    case alreadyInProgress
    case notFound
    case unavailable

    public var refusal: Refusal {
        switch self {
        case .alreadyInProgress: .conflict
        case .notFound: .notFound
        case .unavailable: .gone
        }
    }

    public var title: String {
        switch self {
        case .alreadyInProgress: "Archive déjà en préparation"
        case .notFound: "Archive introuvable"
        case .unavailable: "Archive plus disponible"
        }
    }

    public var french: String {
        switch self {
        case .alreadyInProgress: "Une archive de ce département est déjà en préparation : elle apparaîtra sur cette page."
        case .notFound: "Cette archive n’existe pas."
        case .unavailable: "Cette archive n’est pas prête, ou elle a été effacée au bout de sept jours : demandez-en une nouvelle."
        }
    }
}

/// The console's side of offboarding: ask for an archive, follow it, download it. The archive
/// itself is written by the owner side (`OwnerJobs`), which alone may read a whole schema.
public struct DepartementExports: Sendable {
    let connection: SharedConnection

    public init(_ connection: SharedConnection) {
        self.connection = connection
    }

    public func request(tenantID: Int, by actor: UUID, ip: String?) async throws -> UUID {
        let rows: [PostgresRow]
        do {
            rows = try await connection.query(
                "INSERT INTO shared.export_requests (tenant_id, requested_by) VALUES (\(tenantID), \(actor)) RETURNING id"
            ).collect()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw ExportError.alreadyInProgress
        }
        let id = try rows[0].decode(UUID.self)
        try await AuditLog(connection, realm: .consortium(.operator_)).record(.exportRequested, actor: actor, tenantID: tenantID, ip: ip)
        return id
    }

    /// The département's archives, newest first.
    public func all(tenantID: Int) async throws -> [ExportRequest] {
        try await ExportRequests.load(connection, tenantID: tenantID)
    }

    /// The archive ready for download, journaled as downloaded by `actor`.
    public func download(_ id: UUID, tenantID: Int, by actor: UUID, ip: String?) async throws -> ExportRequest {
        guard let found = try await ExportRequests.load(connection, tenantID: tenantID, id: id).first else { throw ExportError.notFound }
        guard found.state == .done, found.fileName != nil else { throw ExportError.unavailable }
        try await AuditLog(connection, realm: .consortium(.operator_)).record(.exportDownloaded, actor: actor, tenantID: tenantID, ip: ip)
        return found
    }
}

enum ExportRequests {
    static let columns = "id, tenant_id, requested_at, state, file_name, bytes, total_rows, sha256, error, completed_at, expires_at"

    static func load(_ session: any SQLSession, tenantID: Int? = nil, id: UUID? = nil, limit: Int = 20) async throws -> [ExportRequest] {
        let rows = try await session.query(
            """
            SELECT \(unescaped: columns) FROM shared.export_requests
            WHERE (\(tenantID)::integer IS NULL OR tenant_id = \(tenantID)) AND (\(id)::uuid IS NULL OR id = \(id))
            ORDER BY requested_at DESC LIMIT \(limit)
            """
        )
        var requests: [ExportRequest] = []
        for try await row in rows { requests.append(try decode(row)) }
        return requests
    }

    static func decode(_ row: PostgresRow) throws -> ExportRequest {
        let c = row.makeRandomAccess()
        guard let state = ExportRequest.State(rawValue: try c[3].decode(String.self)) else { throw MissingReturnedRow("export_requests") }
        return ExportRequest(
            id: try c[0].decode(UUID.self), tenantID: try c[1].decode(Int.self), requestedAt: try c[2].decode(Date.self), state: state,
            fileName: try c[4].decode(String?.self), bytes: try c[5].decode(Int?.self), totalRows: try c[6].decode(Int?.self),
            sha256: try c[7].decode(String?.self), error: try c[8].decode(String?.self), completedAt: try c[9].decode(Date?.self),
            expiresAt: try c[10].decode(Date?.self)
        )
    }
}
