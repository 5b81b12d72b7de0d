import Foundation
import Testing
import TestSupport

/// A NUL character (which PostgreSQL refuses in text) in a query, a form or an API body gets a
/// clear 400, never a 500, on pages and API alike. Schemathesis found the API's.
@Suite struct NulCharacterTests {
    @Test func aNulCharacterIsRefusedWithAFrench400() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp { app in
                let agent = try await a.signedIn(a.agent, app)
                let search = try await agent.get("/usagers?q=Du%00pont")
                #expect(search.status == .badRequest && search.text.contains("caractère nul"))
                #expect(try await agent.get("/usagers?q=Dupont").status == .ok)
                let form = try await agent.post("/usagers/\(a.targets.usagerID)", ["first_name": "Jea\u{0}nne", "last_name": "Alpha"])
                #expect(form.status == .badRequest && form.text.contains("caractère nul"))
                let api = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                let query = try await api.get("/usagers?q=%C3%84%008")
                #expect(query.status == .badRequest && query.isProblem)
                let body = try await api.post("/usagers", #"{"first_name": "Jea\u0000nne", "last_name": "Alpha"}"#)
                #expect(body.status == .badRequest && body.isProblem)
            }
        }
    }
}
