import Logging
import PostgresNIO
import ServiceLifecycle

/// The two connection pools of the platform: the application's login role, and the owner role.
public final class Database: Service, Sendable {
    public let settings: DatabaseSettings
    let appClient: PostgresClient
    let ownerClient: PostgresClient
    let logger: Logger

    public init(settings: DatabaseSettings, maximumAppConnections: Int = 40, maximumOwnerConnections: Int = 6, logger: Logger) {
        self.settings = settings
        var app = settings.app
        app.options.maximumConnections = maximumAppConnections
        var owner = settings.owner
        owner.options.maximumConnections = maximumOwnerConnections
        self.appClient = PostgresClient(configuration: app, backgroundLogger: logger)
        self.ownerClient = PostgresClient(configuration: owner, backgroundLogger: logger)
        self.logger = logger
    }

    public var layout: DatabaseLayout { settings.layout }

    /// Runs both pools until cancelled or, as a service, until graceful shutdown (which comes
    /// after the services listed later, the HTTP server among them, have stopped).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.appClient.run() }
                group.addTask { await self.ownerClient.run() }
            }
        }
    }

    /// Runs `body` with the pools running, then stops them (for CLI commands and tests).
    public func running<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.run()
                return nil
            }
            defer { group.cancelAll() }
            // Let the pools start before the first lease, which otherwise logs a warning.
            await Task.yield()
            return try await body()
        }
    }

    /// Work on schema `shared` as the application role.
    public var shared: SharedDatabase { SharedDatabase(client: appClient, logger: logger) }

    /// Work on schema `shared` as the owner role: for command-line administration only
    /// (creating consortium accounts); the web application never uses it.
    public var administration: SharedDatabase { SharedDatabase(client: ownerClient, logger: logger) }

    /// Work on one département, as that département's role.
    public func tenant(_ tenant: Tenant) -> TenantDatabase {
        TenantDatabase(
            client: appClient, schema: tenant.schemaName, role: layout.tenantRole(for: tenant.code),
            tenantSlug: tenant.slug, logger: logger
        )
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
