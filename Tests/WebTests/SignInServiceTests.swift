import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SignInServiceTests {
    @Test func aWeakStoredHashIsReplacedAtSignIn() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let weak = PasswordHasher(parameters: Argon2Parameters(memoryKiB: 4_096, iterations: 1, parallelism: 1))
            let oldHash = try await weak.hash(TestWorld.agentPassword)
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.database.tenant(tenant).transaction { connection in
                try await AgentRepository(connection).create(
                    email: "ancien@exemple.fr", firstName: "A", lastName: "B", role: .agent,
                    organisationID: organisation.id, passwordHash: oldHash
                )
            }
            let service = try SignInService(hasher: PasswordHasher())
            let outcome = try await service.signIn(
                email: "ANCIEN@exemple.fr ", password: TestWorld.agentPassword, ip: "192.0.2.1", userAgent: nil, in: world.database.tenant(tenant)
            )
            guard case .signedIn = outcome else {
                Issue.record("expected a sign-in, got \(outcome)")
                return
            }
            let stored = try await world.database.tenant(tenant).transaction { connection in
                try await AgentRepository(connection).find(id: try #require(agent).id)?.passwordHash
            }
            #expect(stored?.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$") == true)
            #expect(stored != oldHash)
        }
    }

    @Test func oneAddressTryingManyAccountsIsThrottled() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let service = try SignInService(hasher: PasswordHasher())
            var outcomes: [String] = []
            for index in 0...Throttle.freeFailures {
                let outcome = try await service.signIn(
                    email: "inconnu\(index)@exemple.fr", password: "nimporte quoi", ip: "198.51.100.7", userAgent: nil,
                    in: world.database.tenant(tenant)
                )
                switch outcome {
                case .refused: outcomes.append("refused")
                case .throttled: outcomes.append("throttled")
                case .signedIn: outcomes.append("signed in")
                }
            }
            #expect(outcomes == Array(repeating: "refused", count: Throttle.freeFailures) + ["throttled"])
            // Another address is not slowed down by this one.
            let other = try await service.signIn(
                email: "encore@exemple.fr", password: "x", ip: "203.0.113.9", userAgent: nil, in: world.database.tenant(tenant)
            )
            guard case .refused = other else {
                Issue.record("expected a plain refusal, got \(other)")
                return
            }
        }
    }
}
