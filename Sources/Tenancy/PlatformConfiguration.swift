import Foundation
import Logging

/// Where the platform runs. Development is asked for by name, never assumed: it shows every
/// message on `/dev/courriels` and lets demo accounts skip the second factor.
public enum RuntimeEnvironment: String, Sendable, CaseIterable {
    case development
    case production
}

/// The platform's settings, read once from the environment by every command (`serve`, `worker`,
/// `migrate`, `tenants`, `consortium`, `demo`) and checked before anything starts.
public struct PlatformConfiguration: Sendable {
    public var environment: RuntimeEnvironment
    /// The application's login role (`DATABASE_URL`); nil means the embedded cluster.
    public var databaseURL: String?
    /// The owner role (`DATABASE_OWNER_URL`), for migrations and provisioning only.
    public var ownerDatabaseURL: String?
    /// Name of the database inside the embedded cluster.
    public var embeddedDatabaseName: String
    /// `RDV_SECRET_KEY`; nil in development, where a key is kept in the data folder.
    public var secretKey: Data?
    public var baseDomain: String?
    public var publicScheme: String?
    public var publicPort: Int?
    public var smtpURL: String?
    public var mailFrom: String?
    public var keepsSlotMaterial: Bool
    public var logLevel: Logger.Level
    /// `RDV_EXPORT_DIR`: where the archives asked for on the console are written, and read back
    /// for download (absolute path). Development defaults to `<data dir>/exports`.
    public var exportDirectory: String?
    /// `RDV_WEBHOOK_ALLOWED_NETWORKS`: the kinds of our own networks webhooks may target anyway
    /// (comma-separated among loopback, private, link-local); empty refuses them all.
    public var webhookAllowedNetworks: [String] = []
    /// `RDV_API_RATE_LIMIT`: calls per minute one API token may make (default 300).
    public var apiRateLimit = 300
    /// `RDV_TRUSTED_PROXIES`: the proxies whose `X-Forwarded-For` names the client (none by default).
    public var trustedProxies = TrustedProxies.none
    /// `RDV_METRICS_ADDRESS`: `host:port` of the admin listener serving `/metrics` (off when nil).
    public var metricsAddress: MetricsAddress?

    public var isDevelopment: Bool { environment == .development }

    /// Reads and checks the variables; the first problem stops the command with a French message.
    public static func load(from variables: [String: String]) throws(ConfigurationError) -> PlatformConfiguration {
        let environment = try readEnvironment(variables["RDV_ENV"])
        func value(_ name: String) -> String? {
            guard let text = variables[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        var configuration = PlatformConfiguration(
            environment: environment, databaseURL: value("DATABASE_URL"), ownerDatabaseURL: value("DATABASE_OWNER_URL"),
            embeddedDatabaseName: value("RDV_DATABASE_NAME") ?? "rdv", secretKey: nil, baseDomain: value("RDV_BASE_DOMAIN"),
            publicScheme: value("RDV_PUBLIC_SCHEME"), publicPort: nil, smtpURL: value("RDV_SMTP_URL"), mailFrom: value("RDV_MAIL_FROM"),
            keepsSlotMaterial: true, logLevel: .info
        )
        for (name, url) in [("DATABASE_URL", configuration.databaseURL), ("DATABASE_OWNER_URL", configuration.ownerDatabaseURL)] {
            guard let url else { continue }
            do { _ = try DatabaseSettings.configuration(fromURL: url) } catch {
                let reason = (error as? DatabaseURLError)?.description ?? "\(error)"
                throw ConfigurationError(reason.replacingOccurrences(of: "DATABASE_URL", with: name) + ".")
            }
        }
        if let networks = value("RDV_WEBHOOK_ALLOWED_NETWORKS") {
            let kinds = networks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard kinds.allSatisfy(["loopback", "private", "link-local"].contains) else {
                throw ConfigurationError("RDV_WEBHOOK_ALLOWED_NETWORKS liste des réseaux parmi loopback, private et link-local (par exemple « loopback »).")
            }
            configuration.webhookAllowedNetworks = kinds
        }
        if let directory = value("RDV_EXPORT_DIR") {
            guard directory.hasPrefix("/") else {
                throw ConfigurationError("RDV_EXPORT_DIR doit être un chemin absolu (par exemple /var/lib/rdv/exports), pas « \(directory) ».")
            }
            configuration.exportDirectory = directory
        }
        if let encoded = value("RDV_SECRET_KEY") {
            guard let key = Data(base64Encoded: encoded), key.count >= 32 else {
                throw ConfigurationError("RDV_SECRET_KEY doit contenir au moins 32 octets encodés en base64 (openssl rand -base64 32).")
            }
            configuration.secretKey = key
        }
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw ConfigurationError("LOG_LEVEL vaut « \(level) » ; valeurs acceptées : trace, debug, info, notice, warning, error, critical.")
            }
            configuration.logLevel = parsed
        }
        if let limit = value("RDV_API_RATE_LIMIT") {
            guard let number = Int(limit), (1...100_000).contains(number) else {
                throw ConfigurationError("RDV_API_RATE_LIMIT est un nombre d’appels par minute et par jeton (1 à 100000), pas « \(limit) ».")
            }
            configuration.apiRateLimit = number
        }
        if let proxies = value("RDV_TRUSTED_PROXIES") {
            guard let parsed = TrustedProxies(proxies) else {
                throw ConfigurationError("RDV_TRUSTED_PROXIES liste des adresses ou réseaux séparés par des virgules (127.0.0.1, 10.0.0.0/8, ::1), pas « \(proxies) ».")
            }
            configuration.trustedProxies = parsed
        }
        if let address = value("RDV_METRICS_ADDRESS") {
            guard let parsed = MetricsAddress(address) else {
                throw ConfigurationError("RDV_METRICS_ADDRESS est une adresse d’écoute hôte:port (127.0.0.1:9100, [::1]:9100), pas « \(address) ».")
            }
            configuration.metricsAddress = parsed
        }
        if let cache = value("RDV_SLOT_CACHE") {
            guard ["on", "off"].contains(cache) else { throw ConfigurationError("RDV_SLOT_CACHE vaut « \(cache) » ; valeurs acceptées : on, off.") }
            configuration.keepsSlotMaterial = cache == "on"
        }
        if let scheme = configuration.publicScheme, !["http", "https"].contains(scheme) {
            throw ConfigurationError("RDV_PUBLIC_SCHEME vaut « \(scheme) » ; valeurs acceptées : http, https.")
        }
        if let port = value("RDV_PUBLIC_PORT") {
            guard let number = Int(port), (1...65_535).contains(number) else {
                throw ConfigurationError("RDV_PUBLIC_PORT doit être un numéro de port (1 à 65535).")
            }
            configuration.publicPort = number
        }
        if configuration.smtpURL != nil, configuration.mailFrom == nil {
            throw ConfigurationError("RDV_MAIL_FROM (adresse d’expédition, par exemple ne-pas-repondre@rdv.example) accompagne RDV_SMTP_URL.")
        }
        if environment == .production {
            guard configuration.databaseURL != nil else { throw ConfigurationError("DATABASE_URL est obligatoire en production.") }
            guard configuration.secretKey != nil else {
                throw ConfigurationError("RDV_SECRET_KEY est obligatoire en production (32 octets aléatoires en base64).")
            }
            if configuration.publicScheme == "http" {
                throw ConfigurationError("RDV_PUBLIC_SCHEME=http n’est pas permis en production : les liens et les cookies exigent https.")
            }
        }
        return configuration
    }

    /// The owner role's URL for a command that migrates or provisions. Production never falls
    /// back to the application's role; development may, when both are the same login.
    public func requireOwnerURL() throws(ConfigurationError) -> String? {
        if let ownerDatabaseURL { return ownerDatabaseURL }
        if environment == .production {
            throw ConfigurationError("DATABASE_OWNER_URL est obligatoire en production pour cette commande (rôle propriétaire des schémas).")
        }
        return databaseURL
    }

    private static func readEnvironment(_ raw: String?) throws(ConfigurationError) -> RuntimeEnvironment {
        let accepted = RuntimeEnvironment.allCases.map(\.rawValue).joined(separator: " ou ")
        guard let raw, !raw.isEmpty else {
            throw ConfigurationError("RDV_ENV n’est pas défini : indiquez \(accepted) (RDV_ENV=development pour essayer la plateforme sur sa machine).")
        }
        guard let environment = RuntimeEnvironment(rawValue: raw) else {
            throw ConfigurationError("RDV_ENV vaut « \(raw) », valeur inconnue : indiquez \(accepted), en minuscules.")
        }
        return environment
    }
}

/// A setting that stops a command before it starts, said in French.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where the admin listener of `/metrics` binds: a host (name, IPv4, or IPv6 in brackets) and a port.
public struct MetricsAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        self.init(host: host, port: port)
    }
}
