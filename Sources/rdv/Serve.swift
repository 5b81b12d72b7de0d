import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Tenancy
import Web

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sert la plateforme en HTTP.")

    @OptionGroup var options: PlatformOptions
    @Option(help: "Adresse d’écoute.") var host = "127.0.0.1"
    @Option(help: "Port d’écoute.") var port = 8080
    @Option(help: "Domaine de base : <département>.<domaine> sert chaque département.") var baseDomain = "localhost"
    @Flag(help: "Applique migrations et Tenants/, remplit la démonstration, affiche les adresses.") var demo = false
    @Option(help: "Dossier des fichiers de départements (avec --demo).") var tenants = "Tenants"

    func run() async throws {
        Platform.bootstrapLogging()
        let logger = Logger(label: "rdv")
        let environment = ProcessInfo.processInfo.environment
        let appEnvironment = AppConfiguration.Environment(rawValue: environment["RDV_ENV"] ?? "development") ?? .development
        let configuration = AppConfiguration(
            host: host, port: port, baseDomain: environment["RDV_BASE_DOMAIN"] ?? baseDomain,
            environment: appEnvironment, publicScheme: environment["RDV_PUBLIC_SCHEME"]
        )
        let platform = try await Platform.open(options, logger: logger)
        defer { platform.embedded?.stop() }

        let tenantsDirectory = tenants
        let prepare: (@Sendable () async throws -> Void)? = demo ? { @Sendable in
            let seeded = try await prepareDemo(platform: platform, tenantsDirectory: tenantsDirectory)
            Self.printAddresses(seeded, configuration: configuration)
        } : nil
        let directory = TenantDirectory(database: platform.database, baseDomain: configuration.baseDomain)
        let app = try await buildApplication(
            configuration: configuration, database: platform.database, directory: directory,
            beforeServing: prepare, logger: logger
        )
        try await app.runService()
    }

    private static func printAddresses(_ tenants: [Tenant], configuration: AppConfiguration) {
        let port = configuration.port == 80 ? "" : ":\(configuration.port)"
        var lines = ["", "La plateforme de démonstration est prête :", "  \(configuration.publicScheme)://\(configuration.baseDomain)\(port)/  (accueil du consortium)"]
        for tenant in tenants.sorted(by: { $0.code < $1.code }) {
            lines.append("  \(configuration.publicScheme)://\(tenant.slug).\(configuration.baseDomain)\(port)/  (\(tenant.name))")
        }
        lines.append("Arrêt : Ctrl+C.\n")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
