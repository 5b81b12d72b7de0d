import Foundation
import Logging
import Testing
import TestSupport
import Tenancy

/// With no PostgreSQL host to work on (every host of the URL down, as between the loss of a
/// primary and the promotion of its standby), pages answer 503 in French and the API answers
/// problem+json 503, never 500.
@Suite struct DatabaseUnavailableTests {
    @Test func pagesAndTheAPIAnswer503WhenNoHostIsThere() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Département sans base")
            let settings = DatabaseSettings(
                appHosts: DatabaseHosts(
                    [try UnreachableHosts.configuration(like: world.settings), try UnreachableHosts.configuration(like: world.settings)],
                    target: .readWrite
                ),
                ownerHosts: nil, databaseName: world.settings.databaseName
            )
            var logger = Logger(label: "rdv.tests.unreachable")
            logger.logLevel = .critical
            let unreachable = Database(settings: settings, logger: logger)
            // The registry is loaded from the world's database; the work goes to the unreachable one.
            try await world.withLiveApp(serving: unreachable) { app in
                let page = try await app.get("/prendre-rdv", host: "\(tenant.slug).rdv.test")
                #expect(page.status == .serviceUnavailable)
                #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(page.headers[.retryAfter] != nil)
                #expect(page.text.contains("Service momentanément indisponible"))
                #expect(page.text.contains("rien n’a été enregistré"))

                let api = try await app.get("/api/v1/me", host: "\(tenant.slug).rdv.test", headers: [.authorization: "Bearer rdv_inconnu"])
                #expect(api.status == .serviceUnavailable)
                #expect(api.headers[.contentType] == "application/problem+json")
                #expect(api.headers[.retryAfter].flatMap(Int.init) != nil)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(api.text.utf8)) as? [String: Any])
                #expect(problem["status"] as? Int == 503)
                #expect(problem["code"] as? String == "unavailable")
                #expect(problem["title"] as? String == "Service momentanément indisponible")

                let health = try await app.get("/healthz", host: "rdv.test")
                #expect(health.status == .serviceUnavailable)
            }
        }
    }

    /// Every operation of the contract can answer 503, and says so: a client generated from it
    /// handles the database's absence as a documented, retryable answer.
    @Test func theContractDocuments503OnEveryOperation() throws {
        let document = try APIContractTests.document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations = 0
        for (path, item) in paths {
            for (method, operation) in item where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations += 1
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any]
                let unavailable = responses?["503"] as? [String: Any]
                #expect(unavailable?["$ref"] as? String == "#/components/responses/Unavailable", "\(method.uppercased()) \(path)")
            }
        }
        #expect(operations > 30)
        let components = try #require(document["components"] as? [String: Any])
        let unavailable = try #require((components["responses"] as? [String: Any])?["Unavailable"] as? [String: Any])
        #expect((unavailable["headers"] as? [String: Any])?["Retry-After"] != nil)
        #expect((unavailable["content"] as? [String: Any])?["application/problem+json"] != nil)
    }
}
