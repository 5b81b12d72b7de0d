import Crypto
import Foundation

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
