import ArgumentParser
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Applique les migrations au schéma shared puis à chaque département."
    )

    @OptionGroup var options: PlatformOptions

    func run() async throws {
        Platform.bootstrapLogging()
        let platform = try await Platform.open(options, logger: Logger(label: "rdv.migrate"))
        let display = ProgressDisplay()
        let outcomes = try await platform.run {
            try await platform.runner.migrateEverything(progress: display.update)
        }
        try report(outcomes)
    }
}
