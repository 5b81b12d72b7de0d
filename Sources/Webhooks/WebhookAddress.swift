import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What kind of network an address is on, for refusing targets inside ours (SSRF).
public enum WebhookAddressKind: String, Sendable, Hashable, CaseIterable {
    case publicInternet = "public"
    case loopback
    /// RFC 1918, carrier-grade NAT, IPv6 unique local.
    case privateNetwork = "private"
    case linkLocal = "link-local"
    /// Cloud instance metadata (169.254.169.254, fd00:ec2::254): never a webhook target.
    case metadata
    /// Unspecified, multicast, broadcast, reserved: nothing a receiver listens on.
    case unusable

    /// Classifies a numeric IPv4 or IPv6 address; nil when `text` is not one.
    public static func of(_ text: String) -> WebhookAddressKind? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return ofIPv4(withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return ofIPv6(withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    static func ofIPv4(_ b: [UInt8]) -> WebhookAddressKind {
        switch (b[0], b[1]) {
        case (169, 254) where b[2] == 169 && b[3] == 254: return .metadata
        case (127, _): return .loopback
        case (10, _), (172, 16...31), (192, 168), (100, 64...127): return .privateNetwork
        case (169, 254): return .linkLocal
        case (0, _), (224...255, _): return .unusable
        default: return .publicInternet
        }
    }

    static func ofIPv6(_ b: [UInt8]) -> WebhookAddressKind {
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xff, b[11] == 0xff { return ofIPv4(Array(b[12..<16])) }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? .loopback : .unusable }
        // fd00:ec2::254
        if b == [0xfd, 0, 0x0e, 0xc2] + Array(repeating: 0, count: 10) + [0x02, 0x54] { return .metadata }
        if b[0] & 0xfe == 0xfc { return .privateNetwork }
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return .linkLocal }
        if b[0] == 0xff { return .unusable }
        return .publicInternet
    }

    /// The addresses `host` resolves to (numeric hosts as they are); empty when it does not resolve.
    public static func resolve(_ host: String) async -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if of(bare) != nil { return [bare] }
        return await withCheckedContinuation { continuation in
            // getaddrinfo blocks: keep it off the cooperative threads.
            DispatchQueue.global().async { continuation.resume(returning: lookUp(bare)) }
        }
    }

    private static func lookUp(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                if !found.contains(text) { found.append(text) }
            }
            cursor = entry.pointee.ai_next
        }
        return found
    }
}
