import Logging
import PostgresNIO
import ServiceLifecycle

/// The application's connection pool: its login role (NOINHERIT), which reads no département's
/// data before `SET LOCAL ROLE` and owns nothing. This is all that `rdv serve` and `rdv worker`
/// hold; migrations and provisioning use an `OwnerDatabase`.
public final class Database: Service, Sendable {
    public let layout: DatabaseLayout
    /// One client per host of `DATABASE_URL`; the work goes to the primary among them.
    let appClient: DatabasePool
    let logger: Logger

    public init(settings: DatabaseSettings, maximumConnections: Int = 40, logger: Logger) {
        self.layout = settings.layout
        self.appClient = DatabasePool(hosts: settings.appHosts, maximumConnections: maximumConnections, logger: logger)
        self.logger = logger
    }

    /// Runs the pool until cancelled or, as a service, until graceful shutdown (which comes
    /// after the services listed later, the HTTP server among them, have stopped).
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.appClient.run() }
    }

    /// Runs `body` with the pool running, then stops it (for CLI commands and tests).
    public func running<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await runningPool(run, body)
    }

    /// Work on schema `shared` as the application role.
    public var shared: SharedDatabase { SharedDatabase(client: appClient, logger: logger) }

    /// Work on one département, as that département's role.
    public func tenant(_ tenant: Tenant) -> TenantDatabase {
        TenantDatabase(
            client: appClient, schema: tenant.schemaName, role: layout.tenantRole(for: tenant.code),
            tenantSlug: tenant.slug, logger: logger
        )
    }

    /// Every registered département, read as the application role.
    public func registeredTenants() async throws -> [Tenant] {
        try await shared.registeredTenants()
    }

    /// True when PostgreSQL answers a trivial query in time.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await self.appClient.query("SELECT 1", logger: self.logger)) != nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// The owner role's pool: it owns every schema and runs migrations, provisioning and
/// command-line administration. The web process never opens one.
public final class OwnerDatabase: Service, Sendable {
    public let layout: DatabaseLayout
    let client: DatabasePool
    let logger: Logger

    /// For the PostgreSQL tools (`pg_dump`) that archives run as this same role, on the same
    /// server as the transaction they share a snapshot with.
    var configuration: PostgresClient.Configuration { client.currentConfiguration }

    /// Fails when the settings name no owner role.
    public init(settings: DatabaseSettings, maximumConnections: Int = 6, logger: Logger) throws(ConfigurationError) {
        guard let owner = settings.ownerHosts else {
            throw ConfigurationError("Cette commande demande le rôle propriétaire : définissez DATABASE_OWNER_URL.")
        }
        self.layout = settings.layout
        self.client = DatabasePool(hosts: owner, maximumConnections: maximumConnections, logger: logger)
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    public func running<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await runningPool(run, body)
    }

    /// Work on schema `shared` as the owner role: command-line administration (creating
    /// consortium accounts, seeding the demonstration).
    public var administration: SharedDatabase { SharedDatabase(client: client, logger: logger) }
}

/// Runs `body` while `pool` runs in a child task, then cancels the pool.
private func runningPool<T: Sendable>(
    _ pool: @escaping @Sendable () async throws -> Void, _ body: @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await pool()
            return nil
        }
        defer { group.cancelAll() }
        // Let the pool start before the first lease, which otherwise logs a warning.
        await Task.yield()
        return try await body()
    }
}
