import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Any SMS provider with an HTTP/JSON API, configured rather than coded: a body template whose
/// `{{to}}`, `{{text}}`, `{{from}}` and `{{reference}}` are replaced by JSON-escaped values, the
/// key in a chosen header, the provider's message id read from a chosen field of the answer.
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

    /// The body for a message; nil when the template is not JSON once filled.
    public static func body(template: String, to: String, text: String, from: String, reference: String) -> Data? {
        func escaped(_ value: String) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: [value], options: [])) ?? Data("[\"\"]".utf8)
            return String(String(decoding: data, as: UTF8.self).dropFirst(2).dropLast(2))
        }
        let filled = template.replacingOccurrences(of: "{{to}}", with: escaped(to)).replacingOccurrences(of: "{{text}}", with: escaped(text))
            .replacingOccurrences(of: "{{from}}", with: escaped(from)).replacingOccurrences(of: "{{reference}}", with: escaped(reference))
        let data = Data(filled.utf8)
        return (try? JSONSerialization.jsonObject(with: data)) == nil ? nil : data
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard let body = Self.body(template: configuration.bodyTemplate, to: message.recipient, text: message.body, from: configuration.sender, reference: message.idempotencyKey) else {
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
