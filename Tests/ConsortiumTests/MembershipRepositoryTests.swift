import Consortium
import Testing
import TestSupport
@testable import Tenancy

@Suite struct MembershipRepositoryTests {
    @Test func theApplicationRoleReadsTheConventionPeriodsTheOwnerDeclared() async throws {
        try await TestWorld.run { world in
            let declared = try await world.makeTenant()
            let silent = try await world.makeTenant()
            try await world.registry.upsert([TenantDefinition(
                slug: declared.slug, name: declared.name, code: declared.code,
                membership: Membership(population: 1_450_000, conventionStart: "2020-03-01", conventionEnd: "2023-02-28")
            )])
            let periods = try await world.database.shared.transaction { try await MembershipRepository($0).conventionPeriods() }
            #expect(periods[declared.id]?.start == "2020-03-01" && periods[declared.id]?.end == "2023-02-28")
            #expect(periods[silent.id].map { $0.start == nil && $0.end == nil } ?? true)
        }
    }
}
