import Hummingbird
import HummingbirdTesting
import Foundation
import Logging
import Tenancy
import Web
import Webhooks

extension TestWorld {
    /// This world's folder of console archives.
    public var exportDirectory: URL {
        URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rdv-exports-\(settings.databaseName)")
    }

    /// The real application on this world's database, base domain `rdv.test`.
    /// - Parameter serving: the pool the application works through instead of this world's (which
    ///   still loads the registry); the application runs it.
    public func app(
        baseDomain: String = "rdv.test", environment: AppConfiguration.Environment = .development,
        serving: Database? = nil,
        configure: @Sendable (inout AppConfiguration) -> Void = { _ in }, logger given: Logger? = nil
    ) async throws -> some ApplicationProtocol {
        var logger = Logger(label: "rdv.tests.web")
        logger.logLevel = .warning
        if let given { logger = given }
        let directory = TenantDirectory(database: database, baseDomain: baseDomain)
        // Plain http even in production mode, so that tests can read the cookies by their plain names.
        var configuration = AppConfiguration(
            host: "127.0.0.1", port: 0, baseDomain: baseDomain, environment: environment, publicScheme: "http",
            secretKey: TestWorld.secretKey
        )
        configuration.tenantMigrationVersions = catalog.tenant.map(\.version)
        configuration.exportDirectory = exportDirectory.path
        // The webhook tests' receiver listens on 127.0.0.1.
        configuration.webhookTargets.allowedKinds.insert(.loopback)
        configure(&configuration)
        return try await buildApplication(
            configuration: configuration,
            database: serving ?? database, directory: directory, runDatabase: serving != nil, logger: logger
        )
    }
}
