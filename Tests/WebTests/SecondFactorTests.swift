import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SecondFactorTests {
    /// The secret printed on the enrolment page, as a person would type it into an app.
    func secret(in page: String) throws -> Data {
        let start = try #require(page.range(of: "<code>"))
        let end = try #require(page.range(of: "</code>", range: start.upperBound..<page.endIndex))
        return try #require(Base32.decode(String(page[start.upperBound..<end.lowerBound])))
    }

    @Test func anAdministratorMustEnrolThenPassTheSecondFactorAtEachSignIn() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: try await world.makeOrganisation(in: tenant))
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let browser = Browser(app: app, host: host)
                try await browser.get("/connexion")
                let signedIn = try await browser.post("/connexion", ["email": admin.email, "password": TestWorld.agentPassword])
                #expect(signedIn.headers[.location] == "/double-authentification")
                #expect(try await browser.get("/agent").headers[.location] == "/double-authentification", "no way around enrolment")

                let enrolment = try await browser.get("/double-authentification")
                #expect(enrolment.text.contains("<svg"))
                let totp = TOTP(secret: try secret(in: enrolment.text))
                let wrong = try await browser.post("/double-authentification/activation", ["code": "000000"])
                #expect(wrong.status == .unprocessableContent)
                // A failed try starts a new secret: read the page again as a person would.
                let retry = try await browser.get("/double-authentification")
                let current = TOTP(secret: try secret(in: retry.text))
                let now = Date()
                let activated = try await browser.post("/double-authentification/activation", ["code": current.code(at: now)])
                #expect(activated.status == .ok)
                #expect(activated.text.contains("codes de secours"))
                let recovery = activated.text.components(separatedBy: "<code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
                #expect(recovery.count == 10)
                #expect(try await browser.get("/agent").status == .ok)
                _ = totp

                // Next time: password, then a code.
                let next = Browser(app: app, host: host)
                try await next.get("/connexion")
                let again = try await next.post("/connexion", ["email": admin.email, "password": TestWorld.agentPassword])
                #expect(again.headers[.location]?.hasPrefix("/connexion/verification") == true)
                #expect(try await next.get("/agent").headers[.location] == "/connexion/verification")
                try await next.get("/connexion/verification")
                #expect(try await next.post("/connexion/verification", ["code": "123456"]).status == .unauthorized)
                let beforeCode = await next.cookies["rdv_session"]
                // The code of the activation step was used up; the next step's code is within the drift window.
                let replay = try await next.post("/connexion/verification", ["code": current.code(at: now)])
                #expect(replay.status == .unauthorized, "a code works once")
                let passed = try await next.post("/connexion/verification", ["code": current.code(at: now.addingTimeInterval(30))])
                #expect(passed.status == .seeOther)
                #expect(await next.cookies["rdv_session"] != beforeCode, "new token after the second factor")
                #expect(try await next.get("/agent").status == .ok)

                // A recovery code works once.
                let lost = Browser(app: app, host: host)
                try await lost.get("/connexion")
                try await lost.post("/connexion", ["email": admin.email, "password": TestWorld.agentPassword])
                try await lost.get("/connexion/verification")
                #expect(try await lost.post("/connexion/verification", ["code": recovery[0]]).status == .seeOther)
                let reuse = Browser(app: app, host: host)
                try await reuse.get("/connexion")
                try await reuse.post("/connexion", ["email": admin.email, "password": TestWorld.agentPassword])
                try await reuse.get("/connexion/verification")
                #expect(try await reuse.post("/connexion/verification", ["code": recovery[0]]).status == .unauthorized)
            }
        }
    }

    @Test func demoAccountsSkipTheSecondFactorOnlyInDevelopment() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let demo = try await world.makeAgent(
                in: tenant, role: .deptAdmin, organisation: nil, email: "departement@\(tenant.slug).demo"
            )
            try await world.withLiveApp { app async throws -> Void in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                #expect(try await browser.signIn(demo.email) == 303)
                #expect(try await browser.get("/agent").status == .ok)
            }
            try await world.withLiveApp(environment: .production) { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.get("/connexion")
                let signedIn = try await browser.post("/connexion", ["email": demo.email, "password": TestWorld.agentPassword])
                #expect(signedIn.headers[.location] == "/double-authentification")
            }
        }
    }
}
