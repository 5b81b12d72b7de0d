import Consortium
import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

@Suite struct MembershipRepositoryTests {
    static func membership(population: Int, start: String = "2020-03-01", end: String = "2023-02-28") -> Membership {
        Membership(
            population: population, censusYear: 2021,
            conventions: [.init(
                fundingRound: "2020-2023", kind: "initial", signedOn: "2020-02-01", startsOn: start, endsOn: end,
                paidCents: 3_000_000, paidOn: "2020-04-01"
            )],
            pilotSites: [.init(organisation: "MDS de Lens", referent: "Claire Lefebvre", contact: "referente.lens@exemple.fr")]
        )
    }

    @Test func theApplicationRoleReadsTheConventionPeriodsTheOwnerDeclared() async throws {
        try await TestWorld.run { world in
            let declared = try await world.makeTenant()
            let silent = try await world.makeTenant()
            try await world.registry.upsert([TenantDefinition(
                slug: declared.slug, name: declared.name, code: declared.code, membership: Self.membership(population: 1_450_000)
            )])
            let periods = try await world.database.shared.transaction { try await MembershipRepository($0).conventionPeriods() }
            #expect(periods[declared.id]?.start == "2020-03-01" && periods[declared.id]?.end == "2023-02-28")
            #expect(periods[silent.id] == nil)
        }
    }

    @Test func aFileAppliedLaterLeavesAConsoleEditAloneUnlessTheFileIsGivenPriority() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let operatorAccount = try await world.makeConsortiumAccount(.operator_)
            func definition(_ population: Int) -> TenantDefinition {
                TenantDefinition(slug: tenant.slug, name: tenant.name, code: tenant.code, membership: Self.membership(population: population))
            }
            #expect(try await world.registry.upsert([definition(1_450_000)]).keptMemberships.isEmpty)
            let service = PartnershipService(world.database.shared)
            let declared = try await service.departement(tenant.id)
            #expect(declared.census?.population == 1_450_000 && declared.census?.managedInConsoleAt == nil)
            #expect(declared.conventions.map(\.paidCents) == [3_000_000] && declared.pilotSites.map(\.referent) == ["Claire Lefebvre"])

            // An operator corrects the census on the console.
            try await service.updateCensus(
                CensusDraft(["population": "1 465 000", "census_year": "2022"]), tenantID: tenant.id,
                by: .init(accountID: operatorAccount.id, ip: nil)
            )
            // The file, applied again with its old figure, does not undo it: it says so instead.
            let kept = try await world.registry.upsert([definition(1_450_000)])
            #expect(kept.keptMemberships.map(\.code) == [tenant.code] && kept.keptByConsole.isEmpty)
            let afterFile = try await service.departement(tenant.id)
            #expect(afterFile.census?.population == 1_465_000 && afterFile.census?.year == 2022)
            #expect(afterFile.census?.managedInConsoleAt != nil)

            // With --fichier-prioritaire the file wins, the département goes back to its file,
            // and the journal says who overrode what.
            #expect(try await world.registry.upsert([definition(1_450_000)], source: .file(fileWins: true)).keptMemberships.isEmpty)
            let overridden = try await service.departement(tenant.id)
            #expect(overridden.census?.population == 1_450_000 && overridden.census?.year == 2021)
            #expect(overridden.census?.managedInConsoleAt == nil)
            #expect(overridden.conventions.map(\.record.id) == declared.conventions.map(\.record.id), "an unchanged convention keeps its id")
            let actions = try await world.database.shared.query(
                "SELECT action FROM shared.consortium_audit_events WHERE tenant_id = \(tenant.id) ORDER BY id"
            ).collect().map { try $0.decode(String.self) }
            #expect(actions.contains("partnership.census_changed") && actions.last == "tenant.declared")
            #expect(actions.contains("membership.file_override"))
        }
    }

    @Test func theApplicationRoleWritesThePartnershipTablesAndNothingElseOfTheRegistry() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let allowed: [PostgresQuery] = [
                "UPDATE shared.partnership_rules SET renewal_rate_percent = 40",
                "INSERT INTO shared.partnership_expenses (spent_on, supplier, object, amount_cents, funding_round) VALUES ('2026-01-01', 'F', 'O', 100, 'r')",
                "INSERT INTO shared.conventions (tenant_id, funding_round, kind, starts_on, ends_on, contribution_due_on) VALUES (\(tenant.id), 'r', 'initial', '2026-01-01', '2026-12-31', '2026-01-01')",
                "DELETE FROM shared.contribution_tiers WHERE above_population = 0",
            ]
            for attempt in allowed {
                try await world.database.shared.transaction { connection in try await connection.query(attempt) }
            }
            let refused: [PostgresQuery] = [
                "UPDATE shared.tenants SET name = 'x'",
                "DELETE FROM shared.memberships",
                "DELETE FROM shared.partnership_rules",
                "DELETE FROM shared.consortium_audit_events",
                "UPDATE shared.consortium_accounts SET role = 'operator'",
                "INSERT INTO shared.tenant_domains (domain, tenant_id) VALUES ('x.fr', \(tenant.id))",
            ]
            for attempt in refused {
                let error = await #expect(throws: PSQLError.self, "\(attempt.sql)") {
                    try await world.database.shared.transaction { connection in try await connection.query(attempt) }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(attempt.sql)")
            }
        }
    }
}
