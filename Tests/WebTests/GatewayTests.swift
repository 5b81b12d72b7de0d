import Foundation
import HTTPTypes
import Testing
import TestSupport
@testable import Tenancy

@Suite struct GatewayTests {
    @Test func aDepartementIsReachedOnItsSubdomainAndCustomDomains() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Drôme d’essai", customDomains: ["rdv.essai.fr"])
            try await world.withLiveApp { app in
                for host in ["\(tenant.slug).rdv.test", "\(tenant.slug.uppercased()).RDV.TEST:8080", "rdv.essai.fr", "RDV.essai.fr:443"] {
                    let response = try await app.get("/", host: host)
                    #expect(response.status == .ok, "\(host)")
                    #expect(response.text.contains("<h1>Drôme d’essai</h1>"), "\(host)")
                }
            }
        }
    }

    @Test func theBareDomainListsOpenDepartementsWithLinks() async throws {
        try await TestWorld.run { world in
            let open = try await world.makeTenant(name: "Ouvert")
            let closed = try await world.makeTenant(name: "Fermé")
            try await world.registry.setStatus(.suspended, slug: closed.slug)
            try await world.withLiveApp { app in
                let response = try await app.get("/", host: "rdv.test:8080")
                #expect(response.status == .ok)
                #expect(response.text.contains("href=\"http://\(open.slug).rdv.test:8080/\""))
                #expect(response.text.contains("Ouvert"))
                #expect(!response.text.contains("Fermé"))
            }
        }
    }

    @Test func unknownHostsAre404WithoutHints() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Secret")
            try await world.withLiveApp { app in
                for host in ["nord.rdv.test", "evil.example", "x.\(tenant.slug).rdv.test", "127.0.0.1", "api.rdv.test"] {
                    let page = try await app.get("/", host: host)
                    #expect(page.status == .notFound, "\(host)")
                    #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect(page.text.contains("Adresse inconnue"))
                    #expect(!page.text.contains("Secret") && !page.text.contains(tenant.slug))
                }
                let problem = try await app.get("/api/v1/anything", host: "nord.rdv.test")
                #expect(problem.status == .notFound)
                #expect(problem.headers[.contentType] == "application/problem+json")
                let json = try JSONSerialization.jsonObject(with: Data(problem.text.utf8)) as? [String: Any]
                #expect(json?["status"] as? Int == 404)
                #expect(json?["title"] as? String == "Adresse inconnue")
                #expect(json?["instance"] as? String == "/api/v1/anything")
            }
        }
    }

    @Test func reservedNamesNeverReachADepartement() async throws {
        try await TestWorld.run { world in
            try await world.makeTenant()
            try await world.withLiveApp { app in
                for (host, name) in [("console.rdv.test", "Console du consortium"), ("stats.rdv.test", "Pilotage du consortium")] {
                    let response = try await app.get("/", host: host)
                    #expect(response.status == .seeOther, "\(host)")
                    #expect(response.headers[.location]?.hasPrefix("/connexion") == true)
                    let signIn = try await app.get("/connexion", host: host)
                    #expect(signIn.text.contains(name))
                    #expect(!signIn.text.contains("espace agent"))
                }
                let www = try await app.get("/une/page", host: "www.rdv.test:8080")
                #expect(www.status == .movedPermanently)
                #expect(www.headers[.location] == "http://rdv.test:8080/une/page")
            }
        }
    }

    @Test func aSuspendedDepartementAnswers503() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Suspendu")
            try await world.registry.setStatus(.suspended, slug: tenant.slug)
            try await world.withLiveApp { app in
                let page = try await app.get("/", host: "\(tenant.slug).rdv.test")
                #expect(page.status == .serviceUnavailable)
                #expect(page.headers[.retryAfter] != nil)
                #expect(page.text.contains("momentanément"))
                let problem = try await app.get("/api/v1/x", host: "\(tenant.slug).rdv.test")
                #expect(problem.status == .serviceUnavailable)
                #expect(problem.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func healthAnswersOnEveryHost() async throws {
        try await TestWorld.run { world in
            let open = try await world.makeTenant()
            let closed = try await world.makeTenant()
            try await world.registry.setStatus(.suspended, slug: closed.slug)
            try await world.withLiveApp { app in
                for host in ["rdv.test", "\(open.slug).rdv.test", "\(closed.slug).rdv.test", "unknown.example", "console.rdv.test"] {
                    let response = try await app.get("/healthz", host: host)
                    #expect(response.status == .ok, "\(host)")
                    #expect(response.text == #"{"status":"ok"}"#, "\(host)")
                }
            }
        }
    }

    @Test func everyResponseCarriesSecurityHeaders() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                for (path, host) in [("/", "rdv.test"), ("/", "\(tenant.slug).rdv.test"), ("/nope", "\(tenant.slug).rdv.test"), ("/", "evil.example")] {
                    let response = try await app.get(path, host: host)
                    let csp = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "\(host)\(path)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                }
            }
        }
    }

    @Test func unknownPathOnADepartementIsAFrench404() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                let response = try await app.get("/nulle-part", host: "\(tenant.slug).rdv.test")
                #expect(response.status == .notFound)
                #expect(response.text.contains("Page introuvable"))
                let css = try await app.get("/static/app.css", host: "\(tenant.slug).rdv.test")
                #expect(css.status == .ok)
                #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
            }
        }
    }

    @Test func registryChangesReachTheGatewayWithoutRestart() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                #expect(try await app.get("/", host: host).status == .ok)
                try await world.registry.setStatus(.suspended, slug: tenant.slug)
                #expect(try await eventually { try await app.get("/", host: host).status == .serviceUnavailable })
                try await world.registry.setStatus(.active, slug: tenant.slug)
                #expect(try await eventually { try await app.get("/", host: host).status == .ok })
                // A département created while the server runs is reachable too.
                let newcomer = try await world.makeTenant(name: "Nouveau venu")
                #expect(try await eventually { try await app.get("/", host: "\(newcomer.slug).rdv.test").status == .ok })
            }
        }
    }
}

/// Polls `condition` until it holds or ten seconds have passed (LISTEN/NOTIFY is asynchronous).
func eventually(_ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    for _ in 0..<100 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
