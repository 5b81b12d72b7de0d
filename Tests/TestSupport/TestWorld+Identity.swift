import Agenda
import HummingbirdTesting
import Foundation
import Notifications
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

    /// Key material the test application uses, so fixtures can seal TOTP secrets as it does.
    public static let secretKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })

    /// Turns on the second factor of `agent`, as if enrolled through the pages; returns its TOTP.
    public func enrolSecondFactor(_ agent: Agent, in tenant: Tenant) async throws -> TOTP {
        let factor = SecondFactor(secret: Self.secretKey)
        return try await database.tenant(tenant).transaction { connection in
            let totp = try await factor.startEnrolment(agentID: agent.id, on: connection)
            try await connection.query("UPDATE agents SET totp_enabled_at = now() WHERE id = \(agent.id)")
            return totp
        }
    }

    /// A consortium account with `TestWorld.agentPassword`, created as `rdv consortium create` does.
    public func makeConsortiumAccount(_ role: ConsortiumRole, email: String? = nil) async throws -> ConsortiumAccount {
        let hash = try await PasswordHasher().hash(Self.agentPassword)
        let email = email ?? "\(role.rawValue)-\(Self.randomLabel(length: 6))@consortium.fr"
        return try await owner.administration.transaction { connection in
            let repository = ConsortiumAccountRepository(connection)
            let id = try await repository.upsert(email: email, firstName: "Prénom", lastName: "Nom", role: role, passwordHash: hash)
            guard let account = try await repository.find(id: id) else { throw TestWorldError.database("account \(email) vanished") }
            return account
        }
    }

    /// Turns on the second factor of a consortium account; returns its TOTP.
    public func enrolSecondFactor(_ account: ConsortiumAccount) async throws -> TOTP {
        let factor = SecondFactor(secret: Self.secretKey)
        return try await owner.administration.transaction { connection in
            let totp = try await factor.startEnrolment(agentID: account.id, on: connection, realm: .consortium(account.role))
            try await connection.query("UPDATE shared.consortium_accounts SET totp_enabled_at = now() WHERE id = \(account.id)")
            return totp
        }
    }

    /// Emails waiting in the département's outbox, newest first.
    public func outbox(of tenant: Tenant) async throws -> [MailboxEntry] {
        try await database.tenant(tenant).transaction { connection in
            try await MessageLog(connection).recent()
        }
    }
}

extension Browser {
    /// Signs in through the real sign-in page.
    /// With `totp`, also answers the second-factor page (with the next step's code, so that a
    /// code already used in this 30-second step does not count as a replay).
    @discardableResult
    public func signIn(_ email: String, password: String = TestWorld.agentPassword, totp: TOTP? = nil) async throws -> Int {
        try await get("/connexion")
        let response = try await post("/connexion", ["email": email, "password": password])
        guard let totp, response.headers[.location]?.hasPrefix("/connexion/verification") == true else {
            return Int(response.status.code)
        }
        try await get("/connexion/verification")
        let verified = try await post("/connexion/verification", ["code": totp.code(at: Date().addingTimeInterval(30))])
        return Int(verified.status.code)
    }
}
