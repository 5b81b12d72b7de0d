import Crypto
import Foundation

/// Tokens for state-changing forms: an HMAC of what ties the form to its browser (the session
/// token once signed in, a random pre-session cookie before). Nothing is stored server-side;
/// another site cannot read the cookie, so it cannot forge the token.
public struct CSRFProtection: Sendable {
    /// Key bytes, derived from the platform's secret for this use only.
    let keyBytes: Data

    public init(secret: Data) {
        self.keyBytes = Data(SHA256.hash(data: Data("csrf".utf8) + secret))
    }

    public func token(binding: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: SymmetricKey(data: keyBytes))
        return base64URL(Data(code))
    }

    public func isValid(_ token: String?, binding: String) -> Bool {
        guard let token, !binding.isEmpty else { return false }
        let expected = Data(self.token(binding: binding).utf8)
        let given = Data(token.utf8)
        // Constant time: compare every byte whatever the first difference.
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
