import Foundation

/// The proxies whose `X-Forwarded-For` the platform believes (`RDV_TRUSTED_PROXIES`): addresses
/// or networks, IPv4 or IPv6. A request from anywhere else is taken at its peer address, whatever
/// its headers say, so that nobody can pick the address throttling and the audit trail see.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var left = prefix
            for (mine, theirs) in zip(bytes, address) where left > 0 {
                let bits = min(8, left)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if mine & mask != theirs & mask { return false }
                left -= bits
            }
            return true
        }
    }

    let networks: [Network]

    public static let none = TrustedProxies(networks: [])

    init(networks: [Network]) {
        self.networks = networks
    }

    /// "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"; nil when an entry is no address or network.
    public init?(_ text: String) {
        var networks: [Network] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let bytes = Self.bytes(String(parts[0])) else { return nil }
            let prefix: Int
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...(bytes.count * 8)).contains(value) else { return nil }
                prefix = value
            } else {
                prefix = bytes.count * 8
            }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
        self.networks = networks
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address for a request that came from `peer` with these `X-Forwarded-For`
    /// values: the peer itself unless it is a trusted proxy; otherwise the nearest address,
    /// reading the list from the right, that is not a trusted proxy. An entry that is no
    /// address stops the walk at the proxy that wrote it.
    public func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard let address = Self.address(hop) else { return client }
            client = address
            if !contains(address) { return address }
        }
        return client
    }

    /// The address of an `X-Forwarded-For` entry: bare, or `[v6]`, or `v4:port`.
    static func address(_ hop: String) -> String? {
        var text = hop
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        return bytes(text) == nil ? nil : text
    }

    /// Four bytes for IPv4 (an IPv4-mapped IPv6 address included), sixteen for IPv6.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
