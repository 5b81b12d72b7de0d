import Crypto
import Foundation

/// A link that opens one appointment without a password: the appointment's id and an expiry,
/// signed with a key of this département only (a link never opens another département's
/// appointment, and changing one bit of it breaks the signature). Nothing is stored
/// server-side, and the token is short (42 characters) because it travels in SMS, where every
/// character counts.
public struct SignedLink: Sendable {
    /// What a valid link names.
    public struct Claims: Sendable, Hashable {
        public let rdvID: UUID
        /// To the minute, never earlier than asked.
        public let expiresAt: Date

        public init(rdvID: UUID, expiresAt: Date) {
            self.rdvID = rdvID
            self.expiresAt = Date(timeIntervalSince1970: (expiresAt.timeIntervalSince1970 / 60).rounded(.up) * 60)
        }
    }

    static let version: UInt8 = 2
    /// 80 bits: each guess costs a request to the server.
    static let macLength = 10
    static let length = 1 + 4 + 16 + macLength
    let keyBytes: Data
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// - Parameter scope: the département's schema, so that each département has its own key.
    public init(secret: Data, scope: String) {
        keyBytes = Data(SHA256.hash(data: Data("manage-link|\(scope)|".utf8) + secret))
    }

    public func token(for claims: Claims) -> String {
        var payload = Data([Self.version])
        var minutes = UInt32(clamping: Int(claims.expiresAt.timeIntervalSince1970 / 60)).bigEndian
        payload.append(Data(bytes: &minutes, count: 4))
        payload.append(contentsOf: withUnsafeBytes(of: claims.rdvID.uuid) { Array($0) })
        let mac = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(Self.macLength)
        return base64URL(payload + mac)
    }

    /// The claims of a genuine, unexpired link; nil for anything else.
    public func claims(of token: String, now: Date = Date()) -> Claims? {
        guard token.count < 100, let data = Self.decode(token), data.count == Self.length, data.first == Self.version else { return nil }
        let payload = data.prefix(data.count - Self.macLength), mac = data.suffix(Self.macLength)
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(Self.macLength)
        guard zip(expected, mac).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        let bytes = [UInt8](payload)
        let minutes = bytes[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(minutes) * 60)
        guard expiresAt > now else { return nil }
        let b = Array(bytes[5..<21])
        let id = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        return Claims(rdvID: id, expiresAt: expiresAt)
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
