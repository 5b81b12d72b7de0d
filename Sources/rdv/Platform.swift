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

/// The database the commands work on: `DATABASE_URL` (and `DATABASE_OWNER_URL` for migrations)
/// when set, otherwise a private PostgreSQL cluster in `--data-dir`.
struct Platform: Sendable {
    let database: Database
    let embedded: EmbeddedPostgres?
    let catalog: MigrationCatalog
    let logger: Logger
    let jobs: Int

    static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static func open(_ options: PlatformOptions, logger: Logger) async throws -> Platform {
        let environment = ProcessInfo.processInfo.environment
        let catalog: MigrationCatalog
        do {
            catalog = try MigrationCatalog.load(from: URL(fileURLWithPath: options.migrations))
        } catch {
            throw ValidationError("Migrations illisibles : \(error)")
        }
        let settings: DatabaseSettings
        var embedded: EmbeddedPostgres?
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            let app = try DatabaseSettings.configuration(fromURL: url)
            let owner = try environment["DATABASE_OWNER_URL"].map(DatabaseSettings.configuration(fromURL:)) ?? app
            settings = DatabaseSettings(app: app.0, owner: owner.0, databaseName: app.database)
        } else {
            if environment["RDV_ENV"] == "production" {
                throw ValidationError("DATABASE_URL est obligatoire en production.")
            }
            let cluster = EmbeddedPostgres(rootDirectory: options.dataDir, logger: logger)
            try cluster.start()
            embedded = cluster
            do {
                settings = try await cluster.prepareDatabase(named: environment["RDV_DATABASE_NAME"] ?? "rdv")
            } catch {
                cluster.stop()
                throw error
            }
        }
        let database = Database(settings: settings, maximumOwnerConnections: options.jobs + 2, logger: logger)
        return Platform(database: database, embedded: embedded, catalog: catalog, logger: logger, jobs: options.jobs)
    }

    var runner: MigrationRunner { MigrationRunner(database: database, catalog: catalog, jobs: jobs) }
    var registry: TenantRegistry { TenantRegistry(database: database) }

    /// Runs `body` with the pools up, then stops them and the embedded cluster if we started it.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        defer { embedded?.stop() }
        return try await database.running(body)
    }
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
