import AsyncHTTPClient
import Notifications

/// The SMS providers this platform reaches over HTTP, as the worker's configuration takes them.
public enum SMSProviders {
    /// `http_json` and `generic_json` through `client`; nil for any other provider, which the
    /// worker then leaves waiting.
    public static func factory(client: HTTPClient = .shared) -> SMSTransportFactory {
        { settings, apiKey in
            switch settings.smsProvider {
            case "http_json":
                return HTTPJSONSMSTransport(configuration: .init(endpoint: settings.smsEndpoint, apiKey: apiKey, sender: settings.smsSender), client: client)
            case "generic_json":
                return GenericSMSTransport(
                    configuration: .init(
                        endpoint: settings.smsEndpoint, keyHeader: settings.smsKeyHeader, apiKey: apiKey, bodyTemplate: settings.smsBodyTemplate,
                        idField: settings.smsIDField, sender: settings.smsSender
                    ),
                    client: client
                )
            default:
                return nil
            }
        }
    }
}
