import ArgumentParser
import Consortium
import Foundation
import Notifications
import Hummingbird
import Logging
import ServiceLifecycle
import Tenancy
import Web
import Webhooks

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sert la plateforme en HTTP.")

    @OptionGroup var options: PlatformOptions
    @Option(help: "Adresse d’écoute.") var host = "127.0.0.1"
    @Option(help: "Port d’écoute.") var port = 8080
    @Option(help: "Domaine de base : <département>.<domaine> sert chaque département.") var baseDomain = "localhost"
    @Flag(help: "Applique migrations et Tenants/, remplit la démonstration, affiche les adresses.") var demo = false
    @Option(help: "Dossier des fichiers de départements (avec --demo).") var tenants = "Tenants"
    @Flag(help: "N’envoie pas les courriels et SMS (un `rdv worker` à part s’en charge).") var sansEnvois = false
    @Option(help: "Minutes entre deux mises à jour des statistiques (0 : jamais).") var statsInterval = 15

    func run() async throws {
        let environment = try Platform.loadConfiguration()
        // Before any pool or worker makes a metric: those made earlier would stay no-ops.
        Observability.bootstrap()
        if demo, !environment.isDevelopment {
            throw ValidationError("--demo crée des comptes au mot de passe connu : il n’existe qu’en développement (RDV_ENV=development).")
        }
        // In production the web process never holds the owner role: `rdv tenants provision --watch`
        // carries out the console's openings. In development, serve does it itself.
        let platform = try await Platform.open(options, label: "rdv", needsOwner: demo || environment.isDevelopment, configuration: environment)
        defer { platform.close() }
        let logger = platform.logger
        var settings = AppConfiguration(
            host: host, port: port, baseDomain: environment.baseDomain ?? baseDomain,
            environment: environment.environment, publicScheme: environment.publicScheme,
            publicPort: environment.publicPort, secretKey: try Self.secretKey(environment, dataDirectory: options.dataDir)
        )
        settings.keepsSlotMaterial = environment.keepsSlotMaterial
        settings.apiRateLimit = environment.apiRateLimit
        settings.trustedProxies = environment.trustedProxies
        settings.metricsAddress = environment.metricsAddress
        settings.tenantMigrationVersions = platform.catalog.tenant.map(\.version)
        settings.exportDirectory = Platform.exportDirectory(environment, dataDirectory: options.dataDir)
        settings.webhookTargets = Delivery.webhookPolicy(environment)
        let configuration = settings

        if demo {
            let tenantsDirectory = tenants
            let seeded = try await platform.administer { administration in
                try await prepareDemo(administration, tenantsDirectory: tenantsDirectory, logger: logger)
            }
            Self.printAddresses(seeded, configuration: configuration)
        }
        let database = platform.applicationDatabase()
        let directory = TenantDirectory(database: database, baseDomain: configuration.baseDomain)
        let worker = NotificationWorker(
            database: database,
            configuration: try Delivery.configuration(environment, secretKey: configuration.secretKey, logger: logger),
            logger: logger
        )
        let webhooks = WebhookWorker(database: database, configuration: Delivery.webhooks(environment, secretKey: configuration.secretKey), logger: logger)
        // The jobs of `rdv worker` (messages, webhooks, retention, confirmation deadlines), unless a worker runs apart.
        var services: [any Service] = sansEnvois ? [] : [
            worker, webhooks, Platform.retentionService(database, environment, logger: logger),
            Platform.confirmationService(database, environment, secretKey: configuration.secretKey, logger: logger),
        ]
        services += PlatformOptions.statisticsService(database: database, minutes: statsInterval, logger: logger)
        if environment.isDevelopment, platform.settings.owner != nil {
            let owner: OwnerDatabase
            do { owner = try OwnerDatabase(settings: platform.settings, maximumConnections: 3, logger: logger) } catch {
                throw ValidationError(error.description)
            }
            let links = configuration
            services += [owner, OwnerJobs(
                owner: owner, database: database, runner: MigrationRunner(database: owner, catalog: platform.catalog, jobs: 1),
                exportDirectory: configuration.exportDirectory.map { URL(fileURLWithPath: $0) },
                logger: logger, link: { links.publicURL(slug: $0) }
            )]
        }
        let app = try await buildApplication(
            configuration: configuration, database: database, directory: directory,
            extraServices: services, logger: logger
        )
        try await app.runService()
    }

    /// `RDV_SECRET_KEY`, or in development a key kept in the data folder.
    static func secretKey(_ configuration: PlatformConfiguration, dataDirectory: String) throws -> Data {
        if let key = configuration.secretKey { return key }
        guard configuration.isDevelopment else {
            throw ValidationError("RDV_SECRET_KEY est obligatoire en production (32 octets aléatoires en base64).")
        }
        return try developmentKey(in: dataDirectory)
    }

    /// In development, a key kept in the data folder, so that restarts keep sealed TOTP secrets readable.
    static func developmentKey(in directory: String) throws -> Data {
        let path = directory + "/secret.key"
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 { return existing }
        var generator = SystemRandomNumberGenerator()
        let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("Impossible d’écrire \(path).")
        }
        return key
    }

    private static func printAddresses(_ tenants: [Tenant], configuration: AppConfiguration) {
        let port = configuration.port == 80 ? "" : ":\(configuration.port)"
        var lines = ["", "La plateforme de démonstration est prête :", "  \(configuration.publicScheme)://\(configuration.baseDomain)\(port)/  (accueil du consortium)"]
        for tenant in tenants.sorted(by: { $0.code < $1.code }) {
            lines.append("  \(configuration.publicScheme)://\(tenant.slug).\(configuration.baseDomain)\(port)/  (\(tenant.name))")
        }
        lines.append("")
        lines.append("Comptes de démonstration (mot de passe : \(DemoData.password)) :")
        for role in DemoData.agents {
            lines.append("  \(role.email)@<département>.demo  (\(role.role.frenchName))")
        }
        lines.append("  par exemple admin@pas-de-calais.demo sur http://pas-de-calais.localhost\(port)/connexion")
        for member in DemoData.consortium {
            let host = member.role == .operator_ ? "console" : "stats"
            lines.append("  \(member.email) sur http://\(host).\(configuration.baseDomain)\(port)/connexion (\(member.role.frenchName))")
        }
        lines.append("Courriels envoyés : /dev/courriels sur chaque département.")
        lines.append("Arrêt : Ctrl+C.\n")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
