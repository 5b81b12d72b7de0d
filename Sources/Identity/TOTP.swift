import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 30-second steps, 6 digits,
/// the settings every authenticator app reads from an `otpauth://` link.
public struct TOTP: Sendable {
    public let secret: Data
    public let digits: Int
    public let period: Int

    public init(secret: Data, digits: Int = 6, period: Int = 30) {
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    public static func generateSecret() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    public func code(atStep step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    public func code(at date: Date) -> String { code(atStep: step(at: date)) }

    /// The step `code` belongs to, within one step of `date` either way (clock drift), and later
    /// than `lastUsedStep` (a code works once). Nil when it matches none.
    public func matchingStep(for code: String, at date: Date, after lastUsedStep: Int64?) -> Int64? {
        let code = code.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy(\.isASCII) else { return nil }
        let now = step(at: date)
        for candidate in [now, now - 1, now + 1] where candidate > (lastUsedStep ?? .min) {
            // Compare every character: no early exit that would time the first difference.
            let expected = self.code(atStep: candidate)
            if zip(expected.utf8, code.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 { return candidate }
        }
        return nil
    }

    /// The link an authenticator app reads from the QR code.
    public func provisioningURI(account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let encodedIssuer = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        let encodedAccount = account.addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        return "otpauth://totp/\(encodedIssuer):\(encodedAccount)?secret=\(Base32.encode(secret))&issuer=\(encodedIssuer)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// RFC 4648 base32, the alphabet of TOTP secrets, without padding.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ data: Data) -> String {
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return output
    }

    public static func decode(_ text: String) -> Data? {
        var buffer: UInt32 = 0
        var bits = 0
        var output = Data()
        for character in text.uppercased() where character != "=" && !character.isWhitespace {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
