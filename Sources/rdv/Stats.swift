import ArgumentParser
import Consortium
import Foundation
import Logging
import ServiceLifecycle
import Tenancy

/// `rdv stats …`: the consortium's statistics.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Statistiques du consortium.", subcommands: [Refresh.self]
    )

    /// Recounts the statistics now, with the application role only (as the worker does on its schedule).
    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Met à jour les statistiques : les jours modifiés depuis la dernière fois, ou tous avec --full.",
            discussion: """
                --full recompte chaque jour qui a encore des rendez-vous ou des messages ; les jours dont les lignes \
                ont été effacées depuis (durée de conservation) gardent les chiffres déjà comptés.
                """
        )
        @OptionGroup var options: PlatformOptions
        @Flag(help: "Recompte tous les jours, pas seulement ceux qui ont changé.") var full = false

        func run() async throws {
            let platform = try await Platform.open(options, label: "rdv.stats", needsOwner: false)
            defer { platform.close() }
            let database = platform.applicationDatabase(maximumConnections: 8)
            let logger = platform.logger
            let full = self.full
            let started = ContinuousClock.now
            // One run of the pool: a PostgresClient runs once.
            let (outcomes, tenants) = try await database.running {
                (try await StatisticsRefresher(database: database, logger: logger).refreshAll(full: full), try await database.registeredTenants())
            }
            let days = outcomes.reduce(0) { $0 + $1.days.count }
            let elapsed = ContinuousClock.now - started
            let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            print("\(outcomes.count) département(s) sur \(tenants.count) à jour, \(days) jour(s) recompté(s) en \(milliseconds) ms.")
            if outcomes.count < tenants.count { throw ExitCode.failure }
        }
    }
}

extension PlatformOptions {
    /// The statistics refresh every `minutes` minutes (0: never), for `serve` and `worker`.
    static func statisticsService(database: Database, minutes: Int, logger: Logger) -> [any Service] {
        guard minutes > 0 else { return [] }
        return [StatisticsRefreshService(
            refresher: StatisticsRefresher(database: database, logger: logger), interval: .seconds(minutes * 60), logger: logger
        )]
    }
}
