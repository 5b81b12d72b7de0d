import Testing
@testable import Tenancy

/// Whose `X-Forwarded-For` is believed, and which address it yields.
@Suite struct TrustedProxiesTests {
    static let proxies = TrustedProxies("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8")!

    @Test func addressesAndNetworksAreRead() {
        #expect(TrustedProxies("") == TrustedProxies.none)
        #expect(TrustedProxies("127.0.0.1") != nil)
        #expect(TrustedProxies("192.168.0.0/16,2001:db8::/32") != nil)
        for wrong in ["localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "1.2.3", "10.0.0.0/8/1", "10.0.0.0/-1"] {
            #expect(TrustedProxies(wrong) == nil, "\(wrong)")
        }
    }

    @Test func membershipFollowsPrefixes() {
        let proxies = Self.proxies
        #expect(proxies.contains("127.0.0.1"))
        #expect(!proxies.contains("127.0.0.2"))
        #expect(proxies.contains("10.255.3.4"))
        #expect(!proxies.contains("11.0.0.1"))
        #expect(proxies.contains("::1"))
        #expect(proxies.contains("fd12:3456::1"))
        #expect(!proxies.contains("fe80::1"))
        // An IPv4 peer seen through an IPv6 socket is the same peer.
        #expect(proxies.contains("::ffff:10.1.2.3"))
        #expect(!proxies.contains("pas une adresse"))
        #expect(TrustedProxies("192.168.1.0/23")!.contains("192.168.0.200"))
        #expect(!TrustedProxies("192.168.1.0/24")!.contains("192.168.0.200"))
        #expect(TrustedProxies("0.0.0.0/0")!.contains("8.8.8.8"))
    }

    @Test func anUntrustedPeerIsTakenAsItIs() {
        #expect(Self.proxies.client(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
        #expect(TrustedProxies.none.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "127.0.0.1")
        #expect(Self.proxies.client(peer: nil, forwardedFor: ["198.51.100.1"]) == nil)
    }

    @Test func behindTrustedProxiesTheNearestUntrustedHopIsTheClient() {
        let proxies = Self.proxies
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        // A client that forges its own header only adds to the left of what the proxy saw.
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["6.6.6.6", "198.51.100.1, 10.0.0.5"]) == "198.51.100.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["10.0.0.7, 10.0.0.5"]) == "10.0.0.7")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["[2001:db8::5]"]) == "2001:db8::5")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1:4711"]) == "198.51.100.1")
        // Garbage stops the walk at the proxy that wrote it.
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1, n'importe quoi, 10.0.0.5"]) == "10.0.0.5")
    }

    /// Whatever the header holds, the answer is the peer or one of its entries, and never an
    /// entry to the left of the first untrusted one from the right.
    @Test func theClientIsNeverFurtherThanTheFirstUntrustedHop() {
        var generator = SystemRandomNumberGenerator()
        let pool = ["10.0.0.1", "10.9.9.9", "127.0.0.1", "198.51.100.1", "203.0.113.4", "::1", "2001:db8::1", "x"]
        for _ in 0..<2_000 {
            let hops = (0..<Int.random(in: 0...5, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
            let header = hops.joined(separator: ", ")
            let client = Self.proxies.client(peer: "127.0.0.1", forwardedFor: header.isEmpty ? [] : [header])
            let candidates = ["127.0.0.1"] + hops.filter { $0 != "x" }
            #expect(client.map(candidates.contains) == true, "\(header) → \(String(describing: client))")
            if let untrusted = hops.lastIndex(where: { $0 != "x" && !Self.proxies.contains($0) }),
               !hops[(untrusted + 1)...].contains("x") {
                #expect(client == hops[untrusted], "\(header)")
            }
        }
    }
}
