import Foundation
import Logging
import PostgresNIO
import Synchronization
import Tenancy

/// A fresh database of its own for one test: roles, schema `shared` migrated, pools running.
/// Tests create their départements in it, so tests run in parallel without meeting.
public final class TestWorld: Sendable {
    /// The application's login role, as `rdv serve` holds it.
    public let database: Database
    /// The owner role, as migrations and provisioning hold it.
    public let owner: OwnerDatabase
    public let catalog: MigrationCatalog
    public let settings: DatabaseSettings
    public let socketDirectory: String
    private let usedCodes = Mutex<Set<DepartementCode>>([])

    init(database: Database, owner: OwnerDatabase, catalog: MigrationCatalog, settings: DatabaseSettings, socketDirectory: String) {
        self.database = database
        self.owner = owner
        self.catalog = catalog
        self.settings = settings
        self.socketDirectory = socketDirectory
    }

    /// The repository's own migrations.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func repositoryCatalog() throws -> MigrationCatalog {
        try MigrationCatalog.load(from: repositoryRoot.appendingPathComponent("Migrations"))
    }

    /// Runs `body` in a new world; `catalog` replaces the repository's migrations.
    public static func run<T: Sendable>(
        catalog: MigrationCatalog? = nil,
        migrateShared: Bool = true,
        _ body: @Sendable (TestWorld) async throws -> T
    ) async throws -> T {
        do {
            return try await runWorld(catalog: catalog, migrateShared: migrateShared, body)
        } catch let error as PSQLError {
            // PSQLError hides the server's message from its description; tests want it.
            throw TestWorldError.database(describe(error))
        }
    }

    private static func runWorld<T: Sendable>(
        catalog: MigrationCatalog?, migrateShared: Bool, _ body: @Sendable (TestWorld) async throws -> T
    ) async throws -> T {
        let name = "t_" + randomLabel(length: 12).replacingOccurrences(of: "-", with: "_")
        let settings = try await TestCluster.makeDatabase(named: name)
        var logger = Logger(label: "rdv.tests")
        logger.logLevel = .warning
        let database = Database(settings: settings, logger: logger)
        let owner = try OwnerDatabase(settings: settings, maximumConnections: 8, logger: logger)
        let world = TestWorld(
            database: database, owner: owner, catalog: try catalog ?? repositoryCatalog(), settings: settings,
            socketDirectory: try await TestCluster.cluster().socketDirectory
        )
        return try await owner.running { try await database.running {
            if migrateShared {
                let outcome = try await world.runner().withLock { try await world.runner().migrateShared() }
                guard outcome.succeeded else { throw TestWorldError.migrationFailed(String(describing: outcome.error)) }
            }
            return try await body(world)
        } }
    }

    public func runner(jobs: Int = 4, catalog: MigrationCatalog? = nil) -> MigrationRunner {
        MigrationRunner(database: owner, catalog: catalog ?? self.catalog, jobs: jobs)
    }

    public var registry: TenantRegistry { TenantRegistry(owner: owner) }

    /// A new département with a random slug and an unused code, registered and migrated.
    @discardableResult
    public func makeTenant(
        code: DepartementCode? = nil, slug: String? = nil, name: String? = nil, customDomains: [String] = []
    ) async throws -> Tenant {
        let code = try code ?? usedCodes.withLock { used in
            guard let free = DepartementCode.all.shuffled().first(where: { !used.contains($0) }) else {
                throw TestWorldError.noFreeCode
            }
            used.insert(free)
            return free
        }
        usedCodes.withLock { _ = $0.insert(code) }
        let slug = slug ?? "d-" + Self.randomLabel(length: 10)
        let definition = TenantDefinition(
            slug: slug, name: name ?? "Département \(code.value) \(slug)", code: code, customDomains: customDomains
        )
        let outcomes = try await TenantProvisioner(runner: runner(), registry: registry).apply([definition]).outcomes
        if let failure = outcomes.first(where: { !$0.succeeded }) {
            throw TestWorldError.migrationFailed(String(describing: failure.error))
        }
        guard let tenant = try await registry.all().first(where: { $0.code == code }) else {
            throw TestWorldError.migrationFailed("tenant \(code) not registered")
        }
        return tenant
    }

    /// `postgres://` URLs of this world, for running the `rdv` binary against it.
    public var environment: [String: String] {
        let db = settings.databaseName
        return [
            "RDV_ENV": "development",
            "DATABASE_URL": "postgres://\(EmbeddedPostgres.appRole)@/\(db)?host=\(socketDirectory)",
            "DATABASE_OWNER_URL": "postgres://\(EmbeddedPostgres.ownerRole)@/\(db)?host=\(socketDirectory)",
        ]
    }

    public static func randomLabel(length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}

public enum TestWorldError: Error {
    case database(String)
    case migrationFailed(String)
    case noFreeCode
}
