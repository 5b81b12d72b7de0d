import ArgumentParser
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Applique les migrations au schéma shared puis à chaque département."
    )

    @OptionGroup var options: PlatformOptions

    func run() async throws {
        let platform = try await Platform.open(options, label: "rdv.migrate", needsOwner: true)
        defer { platform.close() }
        let display = ProgressDisplay()
        let outcomes = try await platform.administer { administration in
            try await administration.runner.migrateEverything(progress: display.update)
        }
        try report(outcomes)
    }
}
