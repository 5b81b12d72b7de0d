import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Notifications

/// Any SMS provider with an HTTP/JSON API, configured rather than coded: a body template whose
/// `{{to}}`, `{{text}}`, `{{from}}` and `{{reference}}` are replaced by JSON-escaped values
/// (`SMSBodyTemplate`), the key in a chosen header, the provider's message id read from a
/// chosen field of the answer.
public struct GenericSMSTransport: MessageTransport {
    public struct Configuration: Sendable, Hashable {
        public var endpoint: String
        public var keyHeader: String
        public var apiKey: String
        public var bodyTemplate: String
        public var idField: String
        public var sender: String
        public var timeout: TimeAmount

        public init(endpoint: String, keyHeader: String, apiKey: String, bodyTemplate: String, idField: String, sender: String, timeout: TimeAmount = .seconds(10)) {
            self.endpoint = endpoint
            self.keyHeader = keyHeader
            self.apiKey = apiKey
            self.bodyTemplate = bodyTemplate
            self.idField = idField
            self.sender = sender
            self.timeout = timeout
        }
    }

    let configuration: Configuration
    let client: HTTPClient

    public init(configuration: Configuration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard let body = SMSBodyTemplate.body(template: configuration.bodyTemplate, to: message.recipient, text: message.body, from: configuration.sender, reference: message.idempotencyKey) else {
            return .permanentFailure("modèle de requête SMS invalide")
        }
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: configuration.keyHeader, value: configuration.apiKey)
        request.body = .bytes(ByteBuffer(data: body))
        return await SMSProviderCall.send(
            request, client: client, timeout: configuration.timeout, idField: configuration.idField, fallbackReference: message.idempotencyKey
        )
    }
}
