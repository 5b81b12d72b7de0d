import ArgumentParser
import Foundation
import Logging
import Notifications
import ServiceLifecycle
import Tenancy
import Transports

/// How `rdv serve` and `rdv worker` deliver messages, from the environment.
enum Delivery {
    static func configuration(secretKey: Data, development: Bool, logger: Logger) throws -> DeliveryConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let email: any MessageTransport
        if let url = environment["RDV_SMTP_URL"] {
            guard let smtp = SMTPConfiguration(url: url) else {
                throw ValidationError("RDV_SMTP_URL s’écrit smtp://utilisateur:mot-de-passe@hôte:587?security=starttls (ou smtps://…).")
            }
            guard let from = environment["RDV_MAIL_FROM"], from.contains("@"), from.allSatisfy(\.isASCII) else {
                throw ValidationError("RDV_MAIL_FROM (adresse d’expédition, par exemple ne-pas-repondre@rdv.example) accompagne RDV_SMTP_URL.")
            }
            email = SMTPEmailTransport(client: try SMTPClient(configuration: smtp), fromAddress: from)
        } else if development {
            email = SandboxTransport()
        } else {
            logger.error("no SMTP server configured: emails wait in the messages table")
            email = MissingTransport(reason: "aucun serveur SMTP configuré")
        }
        return DeliveryConfiguration(email: email, smsTransport: SMSProviders.factory(), secret: secretKey, sandboxAllowed: development)
    }
}

/// Delivers messages alone, without serving pages (several may run side by side).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Envoie les courriels et SMS en attente de tous les départements.")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        Platform.bootstrapLogging()
        let logger = Logger(label: "rdv.worker")
        let environment = ProcessInfo.processInfo.environment
        let development = (environment["RDV_ENV"] ?? "development") == "development"
        let key: Data
        if let encoded = environment["RDV_SECRET_KEY"], let decoded = Data(base64Encoded: encoded), decoded.count >= 32 {
            key = decoded
        } else if development {
            key = try Serve.developmentKey(in: options.dataDir)
        } else {
            throw ValidationError("RDV_SECRET_KEY est obligatoire en production (32 octets aléatoires en base64).")
        }
        let platform = try await Platform.open(options, logger: logger)
        defer { platform.embedded?.stop() }
        let worker = NotificationWorker(
            database: platform.database, configuration: try Delivery.configuration(secretKey: key, development: development, logger: logger), logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: platform.database), .init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
