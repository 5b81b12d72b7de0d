import ArgumentParser
import Foundation
import Logging
import Notifications
import ServiceLifecycle
import Tenancy
import Transports
import Web
import Webhooks

/// How `rdv serve` and `rdv worker` deliver messages, from the environment.
enum Delivery {
    static func configuration(_ platform: PlatformConfiguration, secretKey: Data, logger: Logger) throws -> DeliveryConfiguration {
        let development = platform.isDevelopment
        let email: any MessageTransport
        if let url = platform.smtpURL {
            guard let smtp = SMTPConfiguration(url: url) else {
                throw ValidationError("RDV_SMTP_URL s’écrit smtp://utilisateur:mot-de-passe@hôte:587?security=starttls (ou smtps://…).")
            }
            guard let from = platform.mailFrom, from.contains("@"), from.allSatisfy(\.isASCII) else {
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

    /// Webhook targets: HTTPS only in production; our own networks only as configured.
    static func webhookPolicy(_ platform: PlatformConfiguration) -> WebhookTargetPolicy {
        WebhookTargetPolicy(
            requiresHTTPS: !platform.isDevelopment,
            allowedKinds: WebhookTargetPolicy.allowedKinds(from: platform.webhookAllowedNetworks.joined(separator: ","))
        )
    }

    static func webhooks(_ platform: PlatformConfiguration, secretKey: Data) -> WebhookConfiguration {
        WebhookConfiguration(transport: WebhookHTTPTransport(), policy: webhookPolicy(platform), platformSecret: secretKey)
    }
}

/// Delivers messages alone, without serving pages (several may run side by side).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Envoie les courriels, SMS et webhooks en attente de tous les départements applique les délais de confirmation des rendez-vous et chaque jour les durées de conservation.")
    @OptionGroup var options: PlatformOptions
    @Option(help: "Minutes entre deux mises à jour des statistiques (0 : jamais).") var statsInterval = 15

    func run() async throws {
        let platform = try await Platform.open(options, label: "rdv.worker", needsOwner: false)
        defer { platform.close() }
        let logger = platform.logger
        let key = try Serve.secretKey(platform.configuration, dataDirectory: options.dataDir)
        let database = platform.applicationDatabase()
        let worker = NotificationWorker(
            database: database, configuration: try Delivery.configuration(platform.configuration, secretKey: key, logger: logger), logger: logger
        )
        let webhooks = WebhookWorker(database: database, configuration: Delivery.webhooks(platform.configuration, secretKey: key), logger: logger)
        let statistics = PlatformOptions.statisticsService(database: database, minutes: statsInterval, logger: logger)
        let retention = Platform.retentionService(database, platform.configuration, logger: logger)
        let confirmations = Platform.confirmationService(database, platform.configuration, secretKey: key, logger: logger)
        var services: [any Service] = [database, worker, webhooks, retention, confirmations] + statistics
        // The same admin listener as `rdv serve`'s: deliveries, outbox, pool and statistics.
        if let metrics = platform.configuration.metricsAddress {
            services.append(buildMetricsApplication(database: database, host: metrics.host, port: metrics.port, logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            )
        )
        try await group.run()
    }
}
