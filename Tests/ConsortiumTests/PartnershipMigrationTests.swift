import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// 0005 carries what memberships recorded before it into the conventions.
@Suite struct PartnershipMigrationTests {
    @Test func theConventionsOfTheOldMembershipsBecomeInitialConventionsWithTheirContribution() async throws {
        let full = try TestWorld.repositoryCatalog()
        let before = MigrationCatalog(shared: full.shared.filter { $0.version < 5 }, tenant: full.tenant)
        try await TestWorld.run(catalog: before) { world in
            let shared = world.owner.administration
            try await shared.query(
                """
                INSERT INTO shared.tenants (slug, name, insee_code, time_zone) VALUES
                    ('pas-de-calais', 'Pas-de-Calais', '62', 'Europe/Paris'), ('drome', 'Drôme', '26', 'Europe/Paris'),
                    ('oise', 'Oise', '60', 'Europe/Paris')
                """
            )
            try await shared.query(
                """
                INSERT INTO shared.memberships (tenant_id, population, convention_start, convention_end, contribution_cents)
                SELECT id, 1450000, date '2020-03-01', date '2023-02-28', 3000000 FROM shared.tenants WHERE insee_code = '62'
                UNION ALL SELECT id, 520000, date '2021-01-01', NULL::date, NULL::bigint FROM shared.tenants WHERE insee_code = '26'
                UNION ALL SELECT id, 800000, NULL::date, NULL::date, 1000 FROM shared.tenants WHERE insee_code = '60'
                """
            )
            let outcome = try await world.runner(catalog: full).withLock { try await world.runner(catalog: full).migrateShared() }
            #expect(outcome.succeeded, "\(String(describing: outcome.error))")

            let conventions = try await world.database.shared.query(
                """
                SELECT t.insee_code, c.funding_round, c.kind, c.starts_on::text, c.ends_on::text, c.contribution_due_on::text,
                       c.agreed_contribution_cents, c.signed_on IS NULL
                FROM shared.conventions c JOIN shared.tenants t ON t.id = c.tenant_id ORDER BY t.insee_code
                """
            ).collect().map { try $0.decode((String, String, String, String, String, String, Int?, Bool).self) }
            #expect(conventions.count == 2, "a membership without a start had no convention")
            #expect(conventions.first { $0.0 == "62" }.map {
                $0.1 == "2020-2023" && $0.2 == "initial" && $0.3 == "2020-03-01" && $0.4 == "2023-02-28" && $0.5 == "2020-03-01" && $0.6 == 3_000_000 && $0.7
            } == true)
            #expect(conventions.first { $0.0 == "26" }.map { $0.1 == "2021-2023" && $0.4 == "2023-12-31" && $0.6 == nil } == true)
            let populations = try await world.database.shared.query("SELECT population FROM shared.memberships ORDER BY population")
                .collect().map { try $0.decode(Int.self) }
            #expect(populations == [520_000, 800_000, 1_450_000])
        }
    }
}
