import Crypto
import Foundation

/// A link that opens one appointment without a password: the appointment and usager ids and an
/// expiry, signed with a key of this département only (a link never opens another département's
/// appointment, and changing one bit of it breaks the signature). Nothing is stored server-side.
public struct SignedLink: Sendable {
    /// What a valid link names.
    public struct Claims: Sendable, Hashable {
        public let rdvID: UUID
        public let usagerID: UUID
        public let expiresAt: Date

        public init(rdvID: UUID, usagerID: UUID, expiresAt: Date) {
            self.rdvID = rdvID
            self.usagerID = usagerID
            self.expiresAt = expiresAt
        }
    }

    static let version: UInt8 = 1
    static let macLength = 16
    let keyBytes: Data
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// - Parameter scope: the département's schema, so that each département has its own key.
    public init(secret: Data, scope: String) {
        keyBytes = Data(SHA256.hash(data: Data("manage-link|\(scope)|".utf8) + secret))
    }

    public func token(for claims: Claims) -> String {
        var payload = Data([Self.version])
        var seconds = UInt64(max(0, claims.expiresAt.timeIntervalSince1970)).bigEndian
        payload.append(Data(bytes: &seconds, count: 8))
        payload.append(contentsOf: Self.bytes(claims.rdvID))
        payload.append(contentsOf: Self.bytes(claims.usagerID))
        let mac = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(Self.macLength)
        return base64URL(payload + mac)
    }

    /// The claims of a genuine, unexpired link; nil for anything else.
    public func claims(of token: String, now: Date = Date()) -> Claims? {
        guard token.count < 200, let data = Self.decode(token), data.count == 1 + 8 + 32 + Self.macLength, data.first == Self.version else {
            return nil
        }
        let payload = data.prefix(data.count - Self.macLength), mac = data.suffix(Self.macLength)
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(Self.macLength)
        guard zip(expected, mac).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        let bytes = [UInt8](payload)
        let seconds = bytes[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard expiresAt > now else { return nil }
        return Claims(rdvID: Self.uuid(bytes[9..<25]), usagerID: Self.uuid(bytes[25..<41]), expiresAt: expiresAt)
    }

    static func bytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    static func uuid(_ bytes: ArraySlice<UInt8>) -> UUID {
        let b = Array(bytes)
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
