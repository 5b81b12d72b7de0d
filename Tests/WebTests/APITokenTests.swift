import Foundation
import HTTPTypes
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// Personal API tokens from the account page to the API and back: made, shown once, used,
/// scoped, revoked; dead when expired or when their agent is deactivated.
@Suite struct APITokenTests {
    @Test func anAgentMakesATokenOnTheAccountPageUsesItAndRevokesIt() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp { app in
                let browser = try await a.signedIn(a.agent, app)
                #expect(try await browser.get("/compte").text.contains("/compte/jetons"))
                #expect(try await browser.get("/compte/jetons").status == .ok)
                // A nameless token is refused in French, and nothing is made.
                let refused = try await browser.post("/compte/jetons", ["name": " ", "scope": "read", "days": "30"])
                #expect(refused.status == .unprocessableContent && refused.text.contains("Donnez au jeton un nom"))
                #expect(try await tokenCount(world, a) == 1, "only the fixture's token")

                let made = try await browser.post("/compte/jetons", ["name": "Logiciel d’insertion", "scope": "read", "days": "30"])
                #expect(made.status == .created)
                #expect(made.headers[.cacheControl] == "no-store")
                let secret = try #require(made.text.firstMatch(of: /rdv_[A-Za-z0-9_-]{43}/).map { String($0.output) })
                // Shown once: the list shows its first characters only.
                #expect(!(try await browser.get("/compte/jetons").text.contains(secret)))

                let api = APIClient(app: app, host: a.host, token: secret)
                let me = try await api.get("/me")
                #expect(me.status == .ok)
                #expect((me.object["agent"] as? [String: Any])?["email"] as? String == a.agent.email)
                #expect((me.object["token"] as? [String: Any])?["scopes"] as? [String] == ["read"])
                // Read only: no write.
                let write = try await api.post("/usagers", jsonText(["first_name": "Jeanne", "last_name": "Essai"]))
                #expect(write.status == .forbidden && write.isProblem)
                #expect(write.object["code"] as? String == "insufficient_scope")
                #expect(try await browser.get("/compte/jetons").text.contains("jamais") == false, "the last use is shown")

                // Administrators of the organisation see it; a plain agent has no such page.
                let admin = try await a.signedIn(a.admin, app)
                #expect(try await admin.get("/jetons-api").text.contains("Logiciel d’insertion"))
                #expect(try await browser.get("/jetons-api").status == .forbidden)

                let tokenID = try await world.database.tenant(a.tenant).transaction { connection in
                    try #require(try await APITokenRepository(connection).of(agentID: a.agent.id).first).id
                }
                // Another agent of the département cannot revoke it; its owner can.
                let secretariat = try await a.signedIn(a.secretariat, app)
                #expect(try await secretariat.post("/compte/jetons/\(tokenID)/revoquer", [:]).status == .forbidden)
                #expect(try await api.get("/me").status == .ok)
                let revoked = try await browser.post("/compte/jetons/\(tokenID)/revoquer", [:])
                #expect(revoked.status == .seeOther)
                let after = try await api.get("/me")
                #expect(after.status == .unauthorized && after.isProblem)
                #expect(after.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

                let events = try await world.database.tenant(a.tenant).transaction { connection in
                    try await connection.query("SELECT action FROM audit_events WHERE action LIKE 'api_token.%' ORDER BY id").collect()
                        .map { try $0.decode(String.self) }
                }
                #expect(events == ["api_token.created", "api_token.created", "api_token.revoked"])
            }
        }
    }

    @Test func expiredTokensAndDeactivatedAgentsGetNothing() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let (expired, agentToken) = try await world.database.tenant(a.tenant).transaction { connection in
                let tokens = APITokenRepository(connection)
                let old = try await tokens.create(agentID: a.admin.id, name: "Ancien", scopes: [.read], days: 1, now: Date().addingTimeInterval(-2 * 86_400))
                let live = try await tokens.create(agentID: a.agent.id, name: "Vivant", scopes: [.read], days: 30)
                return (old.secret, live.secret)
            }
            try await world.withLiveApp { app in
                for (token, why) in [(expired, "expired"), ("rdv_" + String(repeating: "x", count: 43), "unknown"), ("pas-un-jeton", "garbage")] {
                    let response = try await APIClient(app: app, host: a.host, token: token).get("/me")
                    #expect(response.status == .unauthorized && response.isProblem, "\(why) token")
                }
                #expect(try await APIClient(app: app, host: a.host, token: nil).get("/me").status == .unauthorized)
                let live = APIClient(app: app, host: a.host, token: agentToken)
                #expect(try await live.get("/me").status == .ok)
                try await world.database.tenant(a.tenant).transaction { connection in
                    try await connection.query("UPDATE agents SET disabled_at = now() WHERE id = \(a.agent.id)")
                }
                #expect(try await live.get("/me").status == .unauthorized, "a deactivated agent's token dies with the account")
            }
        }
    }

    @Test func callsAreLimitedPerTokenAndWrittenToTheTrail() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp(configure: { $0.apiRateLimit = 3 }) { app in
                let api = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                // The limit counts per minute of the clock: start well inside one.
                let first = try await api.get("/me")
                if let reset = first.headers[.init("RateLimit-Reset")!].flatMap(Int.init), reset < 15 {
                    try await Task.sleep(for: .seconds(reset + 1))
                }
                var remaining: [String] = []
                for _ in 0..<3 {
                    let response = try await api.get("/rdvs?from=2020-01-01T00:00:00%2B01:00")
                    remaining.append(response.headers[.init("RateLimit-Remaining")!] ?? "?")
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
                        #expect(response.isProblem && response.object["code"] as? String == "rate_limited")
                        #expect(response.headers[.init("RateLimit-Limit")!] == "3")
                    }
                }
                #expect(remaining.last == "0")
                let refused = try await api.get("/me")
                #expect(refused.status == .tooManyRequests)
                // Another token has its own allowance.
                let other = try await world.database.tenant(a.tenant).transaction { try await APITokenRepository($0).create(agentID: a.agent.id, name: "Autre", scopes: [.read], days: 1).secret }
                #expect(try await APIClient(app: app, host: a.host, token: other).get("/me").status == .ok)

                let calls = try await world.database.tenant(a.tenant).transaction { connection in
                    try await connection.query("SELECT route, status FROM api_calls WHERE token_id = \(a.targets.apiTokenID) ORDER BY id").collect()
                        .map { try $0.decode((String, Int).self) }
                }
                #expect(calls.count >= 5)
                #expect(calls.contains { $0.0 == "/api/v1/rdvs" && $0.1 == 200 })
                #expect(calls.contains { $0.1 == 429 })
                #expect(calls.allSatisfy { !$0.0.contains("?") && !$0.0.contains("2020") }, "no query string in the trail")
            }
        }
    }

    @Test func theLastUseIsKeptWithinAMinuteWithoutAWriteOnEveryCall() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let secret = try await world.database.tenant(a.tenant).transaction {
                try await APITokenRepository($0).create(agentID: a.agent.id, name: "Suivi", scopes: [.read], days: 1).secret
            }
            func lastUse(_ now: Date) async throws -> (Date?, Date?) {
                try await world.database.tenant(a.tenant).transaction { connection in
                    let found = try #require(try await APITokenRepository(connection).authenticate(secret, now: now))
                    let stored = try await APITokenRepository(connection).find(found.token.id)
                    return (found.token.lastUsedAt, stored?.lastUsedAt)
                }
            }
            let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
            // Never used: written.
            let first = try await lastUse(start)
            #expect(first.0 == nil && first.1 == start)
            // Thirty seconds later: left as it was (no write, no row lock).
            #expect(try await lastUse(start.addingTimeInterval(30)).1 == start)
            // Past a minute: written again.
            #expect(try await lastUse(start.addingTimeInterval(61)).1 == start.addingTimeInterval(61))
            // Another département does not know the secret.
            let b = try await CrossDepartement.make(world, mark: "Beta")
            #expect(try await world.database.tenant(b.tenant).transaction { try await APITokenRepository($0).authenticate(secret) } == nil)
        }
    }

    private func tokenCount(_ world: TestWorld, _ a: CrossDepartement) async throws -> Int {
        try await world.database.tenant(a.tenant).transaction { connection in
            try await connection.query("SELECT count(*)::int FROM api_tokens").collect()[0].decode(Int.self)
        }
    }
}
