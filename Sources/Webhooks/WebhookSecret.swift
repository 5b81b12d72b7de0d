import Crypto
import Foundation

/// An endpoint's signing secret as Standard Webhooks writes it: `whsec_` and the base64 of
/// random bytes; the decoded bytes are the HMAC key.
public struct WebhookSecret: Sendable, Hashable {
    public static let prefix = "whsec_"
    public let text: String

    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let key = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))), key.count >= 24 else { return nil }
        self.text = text
        self.key = key
    }

    /// 32 random bytes.
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return WebhookSecret(Self.prefix + bytes.base64EncodedString())!
    }

    /// The HMAC key of the Standard Webhooks signature.
    public let key: Data
}

/// Seals and opens endpoint secrets with a key derived from the platform's secret (a key of
/// their own, so that an SMS credential and a webhook secret never share one).
public struct WebhookSecretBox: Sendable {
    let keyBytes: Data

    public init(platformSecret: Data) {
        keyBytes = Data(SHA256.hash(data: Data("webhook-secrets|".utf8) + platformSecret))
    }

    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public func seal(_ secret: WebhookSecret) throws -> Data {
        try ChaChaPoly.seal(Data(secret.text.utf8), using: key).combined
    }

    public func open(_ sealed: Data) -> WebhookSecret? {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed), let data = try? ChaChaPoly.open(box, using: key),
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return WebhookSecret(text)
    }
}
