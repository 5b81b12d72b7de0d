import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// In-memory copy of the tenant registry, so that resolving a host costs no query.
/// `TenantDirectoryRefresher` reloads it whenever the registry changes.
public final class TenantDirectory: Sendable {
    private let state: Mutex<HostResolver>
    private let database: Database

    public init(database: Database, baseDomain: String) {
        self.database = database
        self.state = Mutex(HostResolver(baseDomain: baseDomain, tenants: []))
    }

    public var baseDomain: String { state.withLock { $0.baseDomain } }

    public func resolve(host: String) -> Site {
        state.withLock { $0.resolve(host: host) }
    }

    /// Départements for the public landing page: those served.
    public var publicTenants: [Tenant] {
        state.withLock { $0.tenants.filter { $0.status.isServed } }
    }

    /// Reads the registry again.
    public func reload() async throws {
        let tenants = try await database.registeredTenants()
        state.withLock { $0 = HostResolver(baseDomain: $0.baseDomain, tenants: tenants) }
    }
}

/// Keeps a `TenantDirectory` fresh: LISTEN on the registry's channel, reload on each
/// notification, and reload again after every reconnection in case one was missed.
/// It also reloads every `interval`: behind a transaction-mode pooler (PgBouncer), LISTEN
/// lands on a server connection that the next client gets, so notifications may never arrive;
/// the timer bounds how long a suspension or a new département goes unseen.
public struct TenantDirectoryRefresher: Service {
    static let channel = "rdv_tenant_registry"
    let directory: TenantDirectory
    let database: Database
    let interval: Duration

    public init(directory: TenantDirectory, database: Database, interval: Duration = .seconds(10)) {
        self.directory = directory
        self.database = database
        self.interval = interval
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen() }
                group.addTask { await self.reloadPeriodically() }
            }
        }
    }

    private func reloadPeriodically() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                try await directory.reload()
            } catch {
                if Task.isCancelled { return }
                database.logger.debug("periodic registry reload failed", metadata: ["error": .string(describe(error))])
            }
        }
    }

    private func listen() async {
        let logger = database.logger
        while !Task.isCancelled {
            do {
                try await database.appClient.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        try await directory.reload()
                        for try await _ in notifications {
                            try await directory.reload()
                        }
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                // Before the first migration the registry does not exist yet: wait quietly.
                let missing = (error as? PSQLError)?.serverInfo?[.sqlState] == "42P01"
                logger.log(
                    level: missing ? .debug : .warning, "tenant registry listener lost; retrying",
                    metadata: ["error": .string(describe(error))]
                )
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
