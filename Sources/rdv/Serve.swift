import ArgumentParser
import Foundation
import Notifications
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
    @Flag(help: "N’envoie pas les courriels et SMS (un `rdv worker` à part s’en charge).") var sansEnvois = false

    func run() async throws {
        Platform.bootstrapLogging()
        let logger = Logger(label: "rdv")
        let environment = ProcessInfo.processInfo.environment
        let appEnvironment = AppConfiguration.Environment(rawValue: environment["RDV_ENV"] ?? "development") ?? .development
        var secretKey: Data?
        if let encoded = environment["RDV_SECRET_KEY"] {
            guard let key = Data(base64Encoded: encoded), key.count >= 32 else {
                throw ValidationError("RDV_SECRET_KEY doit contenir au moins 32 octets encodés en base64.")
            }
            secretKey = key
        } else if appEnvironment == .production {
            throw ValidationError("RDV_SECRET_KEY est obligatoire en production (32 octets aléatoires en base64).")
        } else {
            secretKey = try Self.developmentKey(in: options.dataDir)
        }
        var settings = AppConfiguration(
            host: host, port: port, baseDomain: environment["RDV_BASE_DOMAIN"] ?? baseDomain,
            environment: appEnvironment, publicScheme: environment["RDV_PUBLIC_SCHEME"],
            publicPort: environment["RDV_PUBLIC_PORT"].flatMap(Int.init), secretKey: secretKey
        )
        settings.keepsSlotMaterial = environment["RDV_SLOT_CACHE"] != "off"
        let configuration = settings
        let platform = try await Platform.open(options, logger: logger)
        defer { platform.embedded?.stop() }

        let tenantsDirectory = tenants
        let prepare: (@Sendable () async throws -> Void)? = demo ? { @Sendable in
            let seeded = try await prepareDemo(platform: platform, tenantsDirectory: tenantsDirectory)
            Self.printAddresses(seeded, configuration: configuration)
        } : nil
        let directory = TenantDirectory(database: platform.database, baseDomain: configuration.baseDomain)
        let worker = NotificationWorker(
            database: platform.database,
            configuration: try Delivery.configuration(secretKey: configuration.secretKey, development: configuration.isDevelopment, logger: logger),
            logger: logger
        )
        let app = try await buildApplication(
            configuration: configuration, database: platform.database, directory: directory,
            extraServices: sansEnvois ? [] : [worker], beforeServing: prepare, logger: logger
        )
        try await app.runService()
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
