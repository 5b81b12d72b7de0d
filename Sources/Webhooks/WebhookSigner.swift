import Crypto
import Foundation

/// The headers that sign one attempt: Standard Webhooks (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature` with one `v1,` signature per live secret) and RDV-Solidarités'
/// `X-Lapin-Signature` (hex HMAC-SHA256 of the body keyed with the secret as written, the way
/// receivers written for it check it).
public enum WebhookSigner {
    public static func headers(id: String, timestamp: Date, body: Data, secrets: [WebhookSecret]) -> [(String, String)] {
        let seconds = String(Int(timestamp.timeIntervalSince1970))
        let signed = Data("\(id).\(seconds).".utf8) + body
        let signatures = secrets.map { secret in
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret.key))).base64EncodedString()
        }
        var headers = [("webhook-id", id), ("webhook-timestamp", seconds), ("webhook-signature", signatures.joined(separator: " "))]
        if let current = secrets.first {
            let legacy = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(current.text.utf8)))
            headers.append(("X-Lapin-Signature", legacy.map { String(format: "%02x", $0) }.joined()))
        }
        return headers
    }
}
