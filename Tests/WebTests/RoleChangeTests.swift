import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct RoleChangeTests {
    @Test func anAdminPromotesAndDemotesButEveryOrganisationKeepsAnAdministrator() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation)
            let colleague = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let stranger = try await world.makeAgent(in: other, role: .agent, organisation: try await world.makeOrganisation(in: other))
            let totp = try await world.enrolSecondFactor(admin, in: tenant)
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let colleagueBrowser = Browser(app: app, host: host)
                try await colleagueBrowser.signIn(colleague.email)
                let browser = Browser(app: app, host: host)
                try await browser.signIn(admin.email, totp: totp)
                try await browser.get("/agents")

                let promoted = try await browser.post("/agents/\(colleague.id)/role", ["role": "admin"])
                #expect(promoted.status == .ok && promoted.text.contains("Rôle modifié"))
                #expect(try await colleagueBrowser.get("/agent").status == .seeOther, "the promoted agent signs in again")

                // Two administrators: one may step down, not the last one.
                #expect(try await browser.post("/agents/\(colleague.id)/role", ["role": "agent"]).status == .ok)
                let self_ = try await browser.post("/agents/\(admin.id)/role", ["role": "agent"])
                #expect(self_.status == .forbidden, "nobody changes their own role")

                let crossed = try await browser.post("/agents/\(stranger.id)/role", ["role": "admin"])
                #expect(crossed.status == .notFound, "an agent of another département is not found here")
                #expect(try await browser.post("/agents/not-a-uuid/role", ["role": "admin"]).status == .notFound)
                #expect(try await browser.post("/agents/\(colleague.id)/role", ["role": "dept_admin"]).status == .forbidden)
            }
            let roles = try await world.database.tenant(tenant).transaction { connection in
                try await AgentRepository(connection).all(in: organisation.id).map(\.role)
            }
            #expect(Set(roles) == [.admin, .agent])
        }
    }

    @Test func theLastAdministratorCannotBeDemotedEvenUnderARace() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let first = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation)
            let second = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation)
            let outcomes = try await withThrowingTaskGroup(of: AgentRepository.RoleChange.self) { group in
                for agent in [first, second] {
                    group.addTask {
                        try await world.database.tenant(tenant).transaction { connection in
                            try await AgentRepository(connection).changeRole(of: agent.id, to: .agent)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .changed }.count == 1)
            #expect(outcomes.filter { $0 == .lastAdministrator }.count == 1)
        }
    }
}
