import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Notifications

/// An SMS provider reached over HTTP with a JSON body, the kind French administrations use:
/// an API key header, the number in E.164, the sender name, our idempotency key as reference,
/// and the provider's message id in the answer (`id`). 2xx: sent; 429 and 5xx: try again;
/// other 4xx: refused for good.
public struct HTTPJSONSMSTransport: MessageTransport {
    public struct Configuration: Sendable, Hashable {
        public var endpoint: String
        public var apiKey: String
        public var sender: String
        public var timeout: TimeAmount

        public init(endpoint: String, apiKey: String, sender: String, timeout: TimeAmount = .seconds(10)) {
            self.endpoint = endpoint
            self.apiKey = apiKey
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
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-API-Key", value: configuration.apiKey)
        request.headers.add(name: "Idempotency-Key", value: message.idempotencyKey)
        let body: [String: String] = ["to": message.recipient, "from": configuration.sender, "text": message.body, "reference": message.idempotencyKey]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return .permanentFailure("corps invalide") }
        request.body = .bytes(ByteBuffer(data: data))
        return await SMSProviderCall.send(request, client: client, timeout: configuration.timeout, idField: "id", fallbackReference: message.idempotencyKey)
    }
}
