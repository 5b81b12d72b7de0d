import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import Tenancy

/// Delivers messages of one channel.
public protocol MessageTransport: Sendable {
    func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome
}

/// Development's transport: the message counts as sent and stays readable in the département's
/// development mailbox. Nothing leaves the machine.
public struct SandboxTransport: MessageTransport {
    public init() {}

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        .sent(providerReference: "sandbox-\(message.id.uuidString.lowercased())")
    }
}

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

/// What SMS providers over HTTP have in common: 2xx is sent (the provider's id read from
/// `idField`), 429 and 5xx are worth another try, other answers are refusals for good.
enum SMSProviderCall {
    static func send(_ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount, idField: String, fallbackReference: String) async -> DeliveryOutcome {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300:
                let json = (try? JSONSerialization.jsonObject(with: Data(buffer: answer))) as? [String: Any]
                return .sent(providerReference: json?[idField].map { "\($0)" } ?? fallbackReference)
            case 429, 500..<600:
                return .temporaryFailure("fournisseur SMS : HTTP \(response.status.code)")
            default:
                return .permanentFailure("fournisseur SMS : HTTP \(response.status.code)")
            }
        } catch {
            return .temporaryFailure("fournisseur SMS injoignable")
        }
    }
}

/// Seals provider credentials with a key derived from the platform's secret, so that the
/// database alone does not give them away; pages never show them back.
public struct CredentialBox: Sendable {
    let keyBytes: Data

    public init(secret: Data) {
        keyBytes = Data(SHA256.hash(data: Data("notification-credentials|".utf8) + secret))
    }

    public func seal(_ text: String) throws -> Data {
        try ChaChaPoly.seal(Data(text.utf8), using: SymmetricKey(data: keyBytes)).combined
    }

    public func open(_ sealed: Data) -> String? {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed),
              let data = try? ChaChaPoly.open(box, using: SymmetricKey(data: keyBytes))
        else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
