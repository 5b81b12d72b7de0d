import Crypto
import Foundation

/// A random token handed to a browser or sent by email; the database keeps only its SHA-256.
public struct SecretToken: Sendable, Hashable {
    /// URL-safe base64 of 32 random bytes.
    public let value: String

    public init(value: String) {
        self.value = value
    }

    public static func generate() -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SecretToken(value: base64URL(Data(bytes)))
    }

    public var hash: Data { Self.hash(value) }

    public static func hash(_ value: String) -> Data { Data(SHA256.hash(data: Data(value.utf8))) }
}

func base64URL(_ data: Data) -> String {
    data.base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}
