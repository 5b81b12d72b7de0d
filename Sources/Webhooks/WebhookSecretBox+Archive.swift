import Crypto
import Foundation
import Tenancy

extension WebhookSecretBox {
    /// How a département's archive opens its endpoints' signing secrets and seals them again
    /// with the importing platform's key (without the operator's key they are left random:
    /// the administrator changes the secret after the import).
    public var archiveSeals: [String: PlatformSeal] {
        let keyBytes = keyBytes
        let seal = PlatformSeal(
            open: { try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: $0), using: SymmetricKey(data: keyBytes)) },
            seal: { try ChaChaPoly.seal($0, using: SymmetricKey(data: keyBytes)).combined }
        )
        return ["webhook_endpoints.secret_sealed": seal, "webhook_endpoints.previous_secret_sealed": seal]
    }
}
