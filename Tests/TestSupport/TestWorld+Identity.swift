import Agenda
import Foundation
import Identity
import Tenancy

extension TestWorld {
    public static let agentPassword = "Une-phrase-de-passe-assez-longue"

    /// An organisation of `tenant`, made for the test.
    public func makeOrganisation(in tenant: Tenant, name: String? = nil) async throws -> Organisation {
        let name = name ?? "Organisation \(Self.randomLabel(length: 6))"
        return try await database.tenant(tenant).transaction { connection in
            try await OrganisationRepository(connection).ensure(named: name)
        }
    }

    /// An agent of `tenant` with `TestWorld.agentPassword`.
    public func makeAgent(
        in tenant: Tenant, role: AgentRole, organisation: Organisation?, email: String? = nil, password: String = TestWorld.agentPassword
    ) async throws -> Agent {
        let hash = try await PasswordHasher().hash(password)
        let email = email ?? "\(role.rawValue)-\(Self.randomLabel(length: 6))@exemple.fr"
        let agent = try await database.tenant(tenant).transaction { connection in
            try await AgentRepository(connection).create(
                email: email, firstName: "Prénom", lastName: "Nom-\(role.rawValue)", role: role,
                organisationID: organisation?.id, passwordHash: hash
            )
        }
        guard let agent else { throw TestWorldError.database("agent \(email) exists") }
        return agent
    }

    /// Emails waiting in the département's outbox, newest first.
    public func outbox(of tenant: Tenant) async throws -> [Outbox.Email] {
        try await database.tenant(tenant).transaction { connection in
            try await Outbox(connection).recent()
        }
    }
}

extension Browser {
    /// Signs in through the real sign-in page.
    @discardableResult
    public func signIn(_ email: String, password: String = TestWorld.agentPassword) async throws -> Int {
        try await get("/connexion")
        let response = try await post("/connexion", ["email": email, "password": password])
        return Int(response.status.code)
    }
}
