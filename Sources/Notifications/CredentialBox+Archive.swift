import Crypto
import Foundation
import Tenancy

extension CredentialBox {
    /// How a département's archive opens the SMS provider's key and seals it again on import.
    public var archiveSeals: [String: PlatformSeal] {
        let keyBytes = keyBytes
        let seal = PlatformSeal(
            open: { try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: $0), using: SymmetricKey(data: keyBytes)) },
            seal: { try ChaChaPoly.seal($0, using: SymmetricKey(data: keyBytes)).combined }
        )
        return ["notification_settings.sms_api_key_sealed": seal]
    }
}
