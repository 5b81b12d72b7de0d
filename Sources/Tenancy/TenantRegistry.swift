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
        try await Self.load(from: database.administration)
    }

    /// Every département, read in `session` (the application role may read the registry).
    public static func load(from session: any SQLSession) async throws -> [Tenant] {
        let rows = try await session.query(
            """
            SELECT t.id, t.slug, t.name, t.insee_code, t.time_zone, t.status,
                   coalesce(array_agg(d.domain ORDER BY d.domain) FILTER (WHERE d.domain IS NOT NULL), '{}'),
                   t.sessions_valid_after
            FROM shared.tenants t LEFT JOIN shared.tenant_domains d ON d.tenant_id = t.id
            GROUP BY t.id ORDER BY t.name
            """
        )
        var tenants: [Tenant] = []
        for try await (id, slug, name, code, timeZone, status, domains, sessionsValidAfter) in rows.decode(
            (Int, String, String, String, String, String, [String], Date?).self
        ) {
            guard let code = DepartementCode(code), let status = Tenant.Status(rawValue: status) else { continue }
            tenants.append(Tenant(
                id: id, slug: slug, name: name, code: code, timeZone: timeZone, status: status, customDomains: domains,
                sessionsValidAfter: sessionsValidAfter
            ))
        }
        return tenants
    }

    /// Who declares a département, and so what a later declaration may change.
    public enum Source: Sendable, Equatable {
        /// `Tenants/*.toml` or `rdv tenants create`: leaves a département the console manages
        /// alone, unless `fileWins`, which hands it back to the files (and journals it).
        case file(fileWins: Bool = false)
        /// The console's onboarding: the département is the console's from then on, and is
        /// created in status `provisioning` until its opening is complete.
        case console(actor: UUID?)
    }

    /// A département the files did not change because the console manages it.
    public struct KeptByConsole: Sendable, Equatable {
        public let code: DepartementCode
        public let since: Date
    }

    /// What a declaration left as the console had it.
    public struct Upserted: Sendable, Equatable {
        /// Départements whose registry fields (name, slug, domains…) the files did not change.
        public var keptByConsole: [KeptByConsole] = []
        /// Départements whose membership data (conventions, census…) the files did not change.
        public var keptMemberships: [KeptMembership] = []
    }

    /// Inserts or updates each département (keyed by INSEE code), replaces its custom domains and
    /// the membership data its file declares, all in one transaction. Runs as the owner role: the
    /// application role only reads the registry.
    ///
    /// What an operator set on the console is kept, and reported in the result, unless the file
    /// wins (`--fichier-prioritaire`): then the file's data replaces it, the département goes back
    /// to being managed by its file, and the consortium journal says so. Registry fields and
    /// membership data are judged apart: each has its own mark of the console.
    @discardableResult
    public func upsert(_ definitions: [TenantDefinition], source: Source = .file()) async throws -> Upserted {
        try await database.client.withConnection { connection in
            try await connection.inTransaction(logger: database.logger) {
                var kept = Upserted()
                let fileWins = if case .file(let wins) = source { wins } else { false }
                for definition in definitions {
                    let existing = try await connection.query(
                        "SELECT id, managed_in_console_at FROM shared.tenants WHERE insee_code = \(definition.code.value) FOR UPDATE",
                        logger: database.logger
                    ).collect().first.map { try $0.decode((Int, Date?).self) }
                    var event = "tenant.declared"
                    if case .file(let fileWins) = source, case let (existingID, managed?)? = existing {
                        guard fileWins else {
                            kept.keptByConsole.append(KeptByConsole(code: definition.code, since: managed))
                            try await keepMembership(definition, tenantID: existingID, fileWins: fileWins, into: &kept, on: connection)
                            continue
                        }
                        event = "tenant.file_overrode_console"
                    }
                    let id = try await upsert(definition, source: source, on: connection)
                    try await keepMembership(definition, tenantID: id, fileWins: fileWins, into: &kept, on: connection)
                    let via = if case .console = source { "console" } else { "command line" }
                    let actor: UUID? = if case .console(let actor) = source { actor } else { nil }
                    try await connection.query(
                        """
                        INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, details)
                        VALUES (\(event), \(actor), \(id), jsonb_build_object('via', \(via)::text))
                        """,
                        logger: database.logger
                    )
                }
                return kept
            }
        }
    }

    private func upsert(_ definition: TenantDefinition, source: Source, on connection: PostgresConnection) async throws -> Int {
        let console = if case .console = source { true } else { false }
        let status: Tenant.Status = console ? .provisioning : .active
        let rows = try await connection.query(
            """
            INSERT INTO shared.tenants (slug, name, insee_code, time_zone, contact_email, status, managed_in_console_at)
            VALUES (\(definition.slug), \(definition.name), \(definition.code.value), \(definition.timeZone), \(definition.contactEmail),
                    \(status.rawValue), CASE WHEN \(console) THEN now() END)
            ON CONFLICT (insee_code) DO UPDATE SET
                slug = excluded.slug, name = excluded.name, time_zone = excluded.time_zone,
                contact_email = excluded.contact_email, managed_in_console_at = excluded.managed_in_console_at, updated_at = now()
            WHERE (shared.tenants.slug, shared.tenants.name, shared.tenants.time_zone, shared.tenants.contact_email,
                   shared.tenants.managed_in_console_at IS NULL)
                IS DISTINCT FROM (excluded.slug, excluded.name, excluded.time_zone, excluded.contact_email,
                   excluded.managed_in_console_at IS NULL)
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
        return id
    }

    /// Applies the membership data a file declares, unless the console manages it.
    private func keepMembership(
        _ definition: TenantDefinition, tenantID id: Int, fileWins: Bool, into kept: inout Upserted, on connection: PostgresConnection
    ) async throws {
        guard let membership = definition.membership else { return }
        if let managedAt = try await applyMembership(membership, tenantID: id, fileWins: fileWins, on: connection) {
            kept.keptMemberships.append(KeptMembership(code: definition.code, managedInConsoleAt: managedAt))
        }
    }

    /// Suspends or resumes a département (a suspension ends its sessions); returns false when no
    /// département has this slug, or when it is still being opened.
    @discardableResult
    public func setStatus(_ status: Tenant.Status, slug: String) async throws -> Bool {
        // The change and its audit event commit together.
        let rows = try await database.client.query(
            """
            WITH changed AS (
                UPDATE shared.tenants SET status = \(status.rawValue), updated_at = now(),
                    sessions_valid_after = CASE WHEN \(status == .suspended) THEN clock_timestamp() ELSE sessions_valid_after END
                WHERE slug = \(slug) AND status <> 'provisioning' RETURNING id
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
