import Foundation
import Logging
import PostgresNIO

/// The registry of départements in schema `shared`, kept by the owner role (the application
/// role only reads it, through `Database.registeredTenants()`).
public struct TenantRegistry: Sendable {
    let database: OwnerDatabase

    public init(owner: OwnerDatabase) {
        self.database = owner
    }

    /// Every département.
    public func all() async throws -> [Tenant] {
        try await Self.load(from: database.client, logger: database.logger)
    }

    static func load(from client: PostgresClient, logger: Logger) async throws -> [Tenant] {
        let rows = try await client.query(
            """
            SELECT t.id, t.slug, t.name, t.insee_code, t.time_zone, t.status,
                   coalesce(array_agg(d.domain ORDER BY d.domain) FILTER (WHERE d.domain IS NOT NULL), '{}')
            FROM shared.tenants t LEFT JOIN shared.tenant_domains d ON d.tenant_id = t.id
            GROUP BY t.id ORDER BY t.name
            """,
            logger: logger
        )
        var tenants: [Tenant] = []
        for try await (id, slug, name, code, timeZone, status, domains) in rows.decode(
            (Int, String, String, String, String, String, [String]).self
        ) {
            guard let code = DepartementCode(code), let status = Tenant.Status(rawValue: status) else { continue }
            tenants.append(Tenant(
                id: id, slug: slug, name: name, code: code, timeZone: timeZone, status: status, customDomains: domains
            ))
        }
        return tenants
    }

    /// Inserts or updates each département (keyed by INSEE code), replaces its custom domains and
    /// the membership data its file declares, all in one transaction. Runs as the owner role: the
    /// application role only reads the registry.
    ///
    /// Membership data an operator edited on the console is kept, and reported in the result,
    /// unless `fileWins` (`--fichier-prioritaire`): then the file's data replaces it, the
    /// département goes back to being managed by its file, and the consortium journal says so.
    @discardableResult
    public func upsert(_ definitions: [TenantDefinition], fileWins: Bool = false) async throws -> [KeptMembership] {
        try await database.client.withConnection { connection in
            try await connection.inTransaction(logger: database.logger) {
                var kept: [KeptMembership] = []
                for definition in definitions {
                    if let managedAt = try await upsert(definition, fileWins: fileWins, on: connection) {
                        kept.append(KeptMembership(code: definition.code, managedInConsoleAt: managedAt))
                    }
                }
                try await connection.query(
                    """
                    INSERT INTO shared.consortium_audit_events (action, tenant_id, details)
                    SELECT 'tenant.declared', id, jsonb_build_object('via', 'command line') FROM shared.tenants
                    WHERE insee_code = ANY(\(definitions.map(\.code.value)))
                    """,
                    logger: database.logger
                )
                return kept
            }
        }
    }

    /// Returns when the console took over the membership data this call left alone.
    private func upsert(_ definition: TenantDefinition, fileWins: Bool, on connection: PostgresConnection) async throws -> Date? {
        let rows = try await connection.query(
            """
            INSERT INTO shared.tenants (slug, name, insee_code, time_zone, contact_email)
            VALUES (\(definition.slug), \(definition.name), \(definition.code.value), \(definition.timeZone), \(definition.contactEmail))
            ON CONFLICT (insee_code) DO UPDATE SET
                slug = excluded.slug, name = excluded.name, time_zone = excluded.time_zone,
                contact_email = excluded.contact_email, updated_at = now()
            WHERE (shared.tenants.slug, shared.tenants.name, shared.tenants.time_zone, shared.tenants.contact_email)
                IS DISTINCT FROM (excluded.slug, excluded.name, excluded.time_zone, excluded.contact_email)
            RETURNING id
            """,
            logger: database.logger
        ).collect()
        let id: Int
        if let row = rows.first {
            id = try row.decode(Int.self)
        } else {
            id = try await connection.query(
                "SELECT id FROM shared.tenants WHERE insee_code = \(definition.code.value)", logger: database.logger
            ).collect()[0].decode(Int.self)
        }
        let current = try await connection.query(
            "SELECT domain FROM shared.tenant_domains WHERE tenant_id = \(id) ORDER BY domain", logger: database.logger
        ).collect().map { try $0.decode(String.self) }
        if current != definition.customDomains.sorted() {
            try await connection.query("DELETE FROM shared.tenant_domains WHERE tenant_id = \(id)", logger: database.logger)
            for domain in definition.customDomains {
                try await connection.query(
                    "INSERT INTO shared.tenant_domains (domain, tenant_id) VALUES (\(domain), \(id))", logger: database.logger
                )
            }
        }
        guard let membership = definition.membership else { return nil }
        return try await applyMembership(membership, tenantID: id, fileWins: fileWins, on: connection)
    }

    /// Suspends or resumes a département; returns false when no département has this slug.
    @discardableResult
    public func setStatus(_ status: Tenant.Status, slug: String) async throws -> Bool {
        // The change and its audit event commit together.
        let rows = try await database.client.query(
            """
            WITH changed AS (
                UPDATE shared.tenants SET status = \(status.rawValue), updated_at = now() WHERE slug = \(slug) RETURNING id
            )
            INSERT INTO shared.consortium_audit_events (action, tenant_id, details)
            SELECT 'tenant.' || \(status.rawValue), id, jsonb_build_object('via', 'command line') FROM changed
            RETURNING tenant_id
            """,
            logger: database.logger
        ).collect()
        return !rows.isEmpty
    }
}
