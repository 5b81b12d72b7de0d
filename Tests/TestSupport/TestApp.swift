import Hummingbird
import HummingbirdTesting
import Logging
import Tenancy
import Web

extension TestWorld {
    /// The real application on this world's database, base domain `rdv.test`.
    public func app(baseDomain: String = "rdv.test") async throws -> some ApplicationProtocol {
        var logger = Logger(label: "rdv.tests.web")
        logger.logLevel = .warning
        let directory = TenantDirectory(database: database, baseDomain: baseDomain)
        return try await buildApplication(
            configuration: AppConfiguration(host: "127.0.0.1", port: 0, baseDomain: baseDomain),
            database: database, directory: directory, runDatabase: false, logger: logger
        )
    }
}
