import ArgumentParser
import Foundation
import Logging
import Tenancy

/// Options every command that touches the database shares.
struct PlatformOptions: ParsableArguments {
    @Option(help: "Dossier de la base PostgreSQL embarquée (sans DATABASE_URL).")
    var dataDir = ".rdv"

    @Option(help: "Dossier des migrations SQL.")
    var migrations = "Migrations"

    @Option(help: "Nombre de départements migrés en parallèle.")
    var jobs = 4
}

/// The database the commands work on: `DATABASE_URL` (and `DATABASE_OWNER_URL` for the
/// commands that migrate or provision) when set, otherwise a private PostgreSQL cluster in
/// `--data-dir` (development only).
struct Platform: Sendable {
    let configuration: PlatformConfiguration
    let settings: DatabaseSettings
    let embedded: EmbeddedPostgres?
    let catalog: MigrationCatalog
    let logger: Logger
    let jobs: Int

    /// Reads the environment once, for every command; a bad setting stops here, in French.
    static func loadConfiguration() throws -> PlatformConfiguration {
        do {
            return try PlatformConfiguration.load(from: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func bootstrapLogging(_ configuration: PlatformConfiguration) {
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Checks the configuration, starts logging, and opens the database (starting the embedded
    /// cluster when there is no `DATABASE_URL`). `needsOwner` commands fail in production
    /// without `DATABASE_OWNER_URL`; the others never receive the owner role.
    static func open(
        _ options: PlatformOptions, label: String, needsOwner: Bool, configuration: PlatformConfiguration? = nil
    ) async throws -> Platform {
        let configuration = try configuration ?? loadConfiguration()
        bootstrapLogging(configuration)
        let logger = Logger(label: label)
        let catalog: MigrationCatalog
        do {
            catalog = try MigrationCatalog.load(from: URL(fileURLWithPath: options.migrations))
        } catch {
            throw ValidationError("Migrations illisibles : \(error)")
        }
        var settings: DatabaseSettings
        var embedded: EmbeddedPostgres?
        if let url = configuration.databaseURL {
            let app = try DatabaseSettings.hosts(fromURL: url)
            var owner: DatabaseHosts?
            if needsOwner {
                let ownerURL: String?
                do { ownerURL = try configuration.requireOwnerURL() } catch { throw ValidationError(error.description) }
                owner = try ownerURL.map(DatabaseSettings.hosts(fromURL:))?.0
            }
            settings = DatabaseSettings(appHosts: app.0, ownerHosts: owner, databaseName: app.database)
        } else {
            let cluster = EmbeddedPostgres(rootDirectory: options.dataDir, logger: logger)
            try cluster.start()
            embedded = cluster
            do {
                settings = try await cluster.prepareDatabase(named: configuration.embeddedDatabaseName)
            } catch {
                cluster.stop()
                throw error
            }
            if !needsOwner { settings.owner = nil }
        }
        return Platform(configuration: configuration, settings: settings, embedded: embedded, catalog: catalog, logger: logger, jobs: options.jobs)
    }

    /// Where console archives go: `RDV_EXPORT_DIR`, or in development `<data dir>/exports`.
    static func exportDirectory(_ configuration: PlatformConfiguration, dataDirectory: String) -> String? {
        if let directory = configuration.exportDirectory { return directory }
        guard configuration.isDevelopment else { return nil }
        return URL(fileURLWithPath: dataDirectory).standardizedFileURL.appendingPathComponent("exports").path
    }

    /// A pool of the application's login role.
    func applicationDatabase(maximumConnections: Int = 40) -> Database {
        Database(settings: settings, maximumConnections: maximumConnections, logger: logger)
    }

    /// Runs `body` with the owner's pool (and the application's) up, then stops them.
    func administer<T: Sendable>(_ body: @Sendable (Administration) async throws -> T) async throws -> T {
        let owner: OwnerDatabase
        do { owner = try OwnerDatabase(settings: settings, maximumConnections: jobs + 2, logger: logger) } catch {
            throw ValidationError(error.description)
        }
        let database = applicationDatabase(maximumConnections: jobs + 2)
        let administration = Administration(
            owner: owner, database: database,
            runner: MigrationRunner(database: owner, catalog: catalog, jobs: jobs), registry: TenantRegistry(owner: owner)
        )
        return try await owner.running {
            try await database.running { try await body(administration) }
        }
    }

    /// Stops the embedded cluster if this process started it.
    func close() {
        embedded?.stop()
    }
}

/// What the administration commands work with: both roles' pools, the migration runner and
/// the registry.
struct Administration: Sendable {
    let owner: OwnerDatabase
    let database: Database
    let runner: MigrationRunner
    let registry: TenantRegistry
    var provisioner: TenantProvisioner { TenantProvisioner(runner: runner, registry: registry) }
}

/// Reports the outcome of a migration run; throws `ExitCode.failure` when a schema failed.
func report(_ outcomes: [SchemaOutcome]) throws {
    let failures = outcomes.filter { !$0.succeeded }
    let applied = outcomes.reduce(0) { $0 + $1.applied.count }
    print("\(outcomes.count) schéma(s) examiné(s), \(applied) migration(s) appliquée(s).")
    for failure in failures {
        printError("ÉCHEC \(failure.schema) : \(failure.error!.description)")
    }
    if !failures.isEmpty {
        printError("\(failures.count) schéma(s) en échec ; les autres ont été migrés.")
        throw ExitCode.failure
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
