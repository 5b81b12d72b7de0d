import Foundation
import HTTPTypes
import Testing
import TestSupport
@testable import Tenancy

/// `X-Forwarded-For` names the client only when the request comes from a trusted proxy: the
/// audit trail (here the API's) then records the client; from anywhere else, a forged header
/// changes nothing.
@Suite struct TrustedProxyTests {
    static let forwarded: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "6.6.6.6, 198.51.100.23"]

    static func lastCallAddress(_ world: TestWorld, _ d: CrossDepartement) async throws -> String? {
        try await world.database.tenant(d.tenant).transaction { connection in
            try await connection.query("SELECT host(ip) FROM api_calls ORDER BY id DESC LIMIT 1").collect().first?.decode(String?.self)
        }
    }

    @Test func behindATrustedProxyTheClientIsWhoTheProxySays() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp(configure: { $0.trustedProxies = TrustedProxies("127.0.0.1, ::1")! }) { app in
                let api = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                let forwarded = try await api.get("/me", headers: Self.forwarded)
                #expect(forwarded.status == .ok)
                #expect(try await Self.lastCallAddress(world, a) == "198.51.100.23")
                #expect(try await api.get("/me").status == .ok)
                #expect(try await Self.lastCallAddress(world, a) == "127.0.0.1", "no header: the proxy itself")
            }
        }
    }

    @Test func fromAnywhereElseAForgedHeaderChangesNothing() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            for proxies in [TrustedProxies.none, TrustedProxies("10.0.0.0/8")!] {
                try await world.withLiveApp(configure: { $0.trustedProxies = proxies }) { app in
                    let api = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                    let forged = try await api.get("/me", headers: Self.forwarded)
                    #expect(forged.status == .ok)
                    #expect(try await Self.lastCallAddress(world, a) == "127.0.0.1")
                }
            }
        }
    }
}

/// Over https, a request a trusted proxy received in clear (`X-Forwarded-Proto: http`) gets only
/// the way to https; the header from elsewhere, or saying https, changes nothing.
@Suite struct ForwardedProtoTests {
    static let inClear: HTTPFields = [HTTPField.Name("X-Forwarded-Proto")!: "http"]

    @Test func aTrustedProxyInClearIsSentToHTTPS() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp(configure: {
                $0.trustedProxies = TrustedProxies("127.0.0.1, ::1")!
                $0.publicScheme = "https"
                $0.publicPort = 8443
            }) { app in
                let page = try await app.get("/prendre-rdv?motif=3&x=%C3%A9", host: a.host, headers: Self.inClear)
                #expect(page.status == .permanentRedirect)
                #expect(page.headers[.location] == "https://\(a.host):8443/prendre-rdv?motif=3&x=%C3%A9")
                let secure = try await app.get("/connexion", host: a.host, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
                #expect(secure.status == .ok)
                #expect(try await app.get("/healthz", host: a.host, headers: Self.inClear).status == .ok, "probes are answered")
                let unknown = try await app.get("/", host: "evil.example", headers: Self.inClear)
                #expect(unknown.status == .notFound, "no redirect for a host the platform does not serve")
            }
        }
    }

    @Test func fromAnUntrustedPeerTheHeaderIsIgnored() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp(configure: { $0.trustedProxies = TrustedProxies("10.0.0.0/8")!; $0.publicScheme = "https" }) { app in
                let page = try await app.get("/connexion", host: a.host, headers: Self.inClear)
                #expect(page.status == .ok)
            }
            try await world.withLiveApp(configure: { $0.trustedProxies = TrustedProxies("127.0.0.1, ::1")! }) { app in
                let page = try await app.get("/connexion", host: a.host, headers: Self.inClear)
                #expect(page.status == .ok, "served in http: nothing to redirect to")
            }
        }
    }
}
