import Agenda
import ArgumentParser
import Booking
import Foundation
import Logging
import Notifications
import Privacy
import Tenancy
import Web

/// `rdv retention`: one retention pass now over every served département (or one), or with
/// --dry-run what a pass would remove or anonymise, per département and kind.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Applique les durées de conservation des données personnelles (ou les compte avec --dry-run).",
        discussion: """
            Chaque département choisit ses durées sur sa page « Données personnelles » ; le worker fait ce passage \
            chaque jour. Les chiffres des statistiques déjà comptés sont conservés.
            """
    )
    @OptionGroup var options: PlatformOptions
    @Flag(name: .customLong("dry-run"), help: "Compte ce qui partirait, sans rien modifier.") var dryRun = false
    @Option(help: "Un seul département (son slug, par exemple drome).") var departement: String?

    func run() async throws {
        let platform = try await Platform.open(options, label: "rdv.retention", needsOwner: false)
        defer { platform.close() }
        let database = platform.applicationDatabase(maximumConnections: 4)
        let logger = platform.logger
        let links = Platform.publicLinks(platform.configuration)
        let (dryRun, only) = (self.dryRun, departement)
        let lines = try await database.running {
            var tenants = try await database.registeredTenants().filter { $0.status.isServed }
            if let only {
                tenants = tenants.filter { $0.slug == only }
                guard !tenants.isEmpty else { throw ValidationError("Aucun département servi ne porte le slug « \(only) ».") }
            }
            var lines: [String] = []
            for tenant in tenants {
                let retention = Retention(database: database.tenant(tenant))
                let now = Date()
                let counts: RetentionCounts
                if dryRun {
                    counts = try await retention.preview(now: now)
                } else {
                    var logger = logger
                    logger[metadataKey: "tenant"] = .string(tenant.slug)
                    let notice = Retention.Notice(departement: tenant.name, signInURL: links.publicURL(slug: tenant.slug) + "/connexion", clock: tenant.clock)
                    counts = try await retention.apply(now: now, notice: notice, logger: logger)
                }
                lines.append("\(tenant.name) (\(tenant.slug)) : \(counts.total == 0 ? "rien" : "\(counts.total)")")
                for kind in RetentionKind.allCases where counts[kind] > 0 {
                    lines.append("  \(kind.french) : \(counts[kind])")
                }
            }
            return lines
        }
        print(dryRun ? "Ce qu’un passage ferait maintenant (rien n’a été modifié) :" : "Passage de conservation fait :")
        lines.forEach { print($0) }
    }
}

extension Platform {
    /// The public addresses of the départements, as `serve` shows them (for links in messages
    /// written outside a request: the worker's warnings).
    static func publicLinks(_ configuration: PlatformConfiguration) -> AppConfiguration {
        AppConfiguration(
            host: "127.0.0.1", port: 8080, baseDomain: configuration.baseDomain ?? "localhost",
            environment: configuration.environment, publicScheme: configuration.publicScheme,
            publicPort: configuration.publicPort
        )
    }

    /// The confirmation deadlines, each minute, for `serve` and `worker`: their messages carry
    /// the same links as the pages'.
    static func confirmationService(_ database: Database, _ configuration: PlatformConfiguration, secretKey: Data, logger: Logger) -> ConfirmationService {
        let links = publicLinks(configuration)
        return ConfirmationService(database: database, links: {
            NoticeLinks(secret: secretKey, publicURL: links.publicURL(slug: $0.slug), scope: $0.schemaName)
        }, logger: logger)
    }

    /// The daily retention pass, for `serve` and `worker`.
    static func retentionService(_ database: Database, _ configuration: PlatformConfiguration, logger: Logger) -> RetentionService {
        let links = publicLinks(configuration)
        return RetentionService(database: database, signInURL: { links.publicURL(slug: $0.slug) + "/connexion" }, logger: logger)
    }
}
