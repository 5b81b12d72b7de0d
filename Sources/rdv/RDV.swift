import ArgumentParser

/// The platform's command line: parse, then hand over to the modules.
@main
struct RDV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rdv",
        abstract: "Plateforme de prise de rendez-vous des services sociaux des départements.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Tenants.self, Consortium.self, Stats.self, RetentionCommand.self, UsagersCommand.self, Demo.self]
    )
}
