import Foundation
import Identity
import PostgresNIO
import Tenancy

/// A département as the operator console lists it.
public struct DepartementOverview: Sendable, Identifiable {
    public let tenant: Tenant
    public let contactEmail: String?
    public let createdAt: Date
    /// Set when the console created or changed it: the TOML files leave it alone.
    public let managedInConsoleSince: Date?
    /// The highest migration applied to its schema (0 before the first).
    public let schemaVersion: Int
    public let migratedAt: Date?

    public var id: Int { tenant.id }
}

public enum DepartementStatusError: DomainError, Equatable {
    case notFound
    case unchanged(Tenant.Status)
    case stillOpening

    public var refusal: Refusal {
        switch self {
        case .notFound: .notFound
        case .unchanged, .stillOpening: .conflict
        }
    }

    public var title: String {
        switch self {
        case .notFound: "Département introuvable"
        case .unchanged, .stillOpening: "Changement impossible"
        }
    }

    public var french: String {
        switch self {
        case .notFound: "Ce département n’est pas inscrit au registre."
        case .unchanged(let status): "Le département est déjà « \(status.frenchName) »."
        case .stillOpening: "Le département est en cours d’ouverture : terminez d’abord son ouverture."
        }
    }
}

/// The départements of the registry, for the operator console: the list, and the changes of
/// status an operator makes (through `shared.set_tenant_status`, the one door the owner opened
/// to the application role: the registry itself stays read-only to it).
public struct Departements: Sendable {
    let connection: SharedConnection

    public init(_ connection: SharedConnection) {
        self.connection = connection
    }

    public func overview() async throws -> [DepartementOverview] {
        try await overview(of: nil)
    }

    public func find(code: DepartementCode) async throws -> DepartementOverview? {
        guard let tenant = try await registered(code: code) else { return nil }
        return try await overview(of: tenant.id).first
    }

    /// The département of this code, from the registry alone.
    public func registered(code: DepartementCode) async throws -> Tenant? {
        try await TenantRegistry.load(from: connection).first { $0.code == code }
    }

    /// Every département, or one: the schema versions are read in each schema asked for.
    private func overview(of tenantID: Int?) async throws -> [DepartementOverview] {
        let tenants = try await TenantRegistry.load(from: connection)
        let rows = try await connection.query(
            """
            SELECT t.id, t.contact_email, t.created_at, t.managed_in_console_at, v.version, v.migrated_at
            FROM shared.tenants t LEFT JOIN shared.tenant_schema_versions(\(tenantID)::integer) v ON v.tenant_id = t.id
            WHERE \(tenantID)::integer IS NULL OR t.id = \(tenantID)
            """
        )
        var details: [Int: (String?, Date, Date?, Int?, Date?)] = [:]
        for try await (id, contact, created, managed, version, migrated) in rows.decode((Int, String?, Date, Date?, Int?, Date?).self) {
            details[id] = (contact, created, managed, version, migrated)
        }
        return tenants.compactMap { tenant in
            guard let (contact, created, managed, version, migrated) = details[tenant.id] else { return nil }
            return DepartementOverview(
                tenant: tenant, contactEmail: contact, createdAt: created, managedInConsoleSince: managed,
                schemaVersion: version ?? 0, migratedAt: migrated
            )
        }
    }

    /// Suspends, resumes or marks as leaving; journaled with the operator as actor.
    public func setStatus(_ wanted: Tenant.Status, of code: DepartementCode, by actor: UUID, ip: String?) async throws {
        guard let current = try await registered(code: code) else { throw DepartementStatusError.notFound }
        guard current.status != .provisioning else { throw DepartementStatusError.stillOpening }
        guard current.status != wanted else { throw DepartementStatusError.unchanged(wanted) }
        let rows = try await connection.query(
            "SELECT shared.set_tenant_status(\(current.id)::integer, \(wanted.rawValue), \(actor), \(ip)::inet)"
        ).collect()
        guard try rows.first?.decode(Bool.self) == true else { throw DepartementStatusError.unchanged(wanted) }
    }
}
