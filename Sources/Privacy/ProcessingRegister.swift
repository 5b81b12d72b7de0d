import Foundation
import PostgresNIO
import Tenancy

/// What the département's register of processing activities states from its own settings:
/// the durations it chose, and who receives data on its behalf (its SMS provider, the
/// addresses its webhooks post to). The page adds what is the same for every département.
public struct ProcessingRegister: Sendable {
    public let retention: RetentionSettings
    /// nil while SMS go nowhere (the sandbox) or are switched off.
    public let smsProviderHost: String?
    /// Hosts of the enabled webhook endpoints: each receives appointments' data.
    public let webhookHosts: [String]

    public static func load(_ connection: TenantConnection) async throws -> ProcessingRegister {
        let retention = try await RetentionSettings.load(connection)
        var smsHost: String?
        for try await (enabled, provider, endpoint) in try await connection.query(
            "SELECT sms_enabled, sms_provider, sms_endpoint FROM notification_settings"
        ).decode((Bool, String, String).self) where enabled && provider != "sandbox" {
            smsHost = URLComponents(string: endpoint)?.host
        }
        var hosts = Set<String>()
        for try await url in try await connection.query("SELECT url FROM webhook_endpoints WHERE enabled").decode(String.self) {
            if let host = URLComponents(string: url)?.host { hosts.insert(host) }
        }
        return ProcessingRegister(retention: retention, smsProviderHost: smsHost, webhookHosts: hosts.sorted())
    }
}
