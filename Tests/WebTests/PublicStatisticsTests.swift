import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// The public statistics on the bare domain: the consortium's totals, nothing of a département.
@Suite struct PublicStatisticsTests {
    @Test func anyoneReadsTheConsortiumsTotalsAndNoDepartementsFigure() async throws {
        try await TestWorld.run { world in
            let big = try await world.makeTenant(name: "Grand département")
            let small = try await world.makeTenant(name: "Petit département")
            _ = try await world.owner.ownerQuery("""
                INSERT INTO shared.statistics_days (tenant_id, day, created_agent, created_usager, seen, noshow)
                VALUES (\(big.id), current_date, 40, 12, 30, 3), (\(small.id), current_date, 3, 0, 2, 1)
                """)
            try await world.withLiveApp { app in
                let visitor = Browser(app: app, host: "rdv.test")
                #expect(try await visitor.get("/").text.contains("href=\"/statistiques\""))
                let page = try await visitor.get("/statistiques")
                #expect(page.status == .ok)
                #expect(page.text.contains("Statistiques publiques"))
                #expect(page.text.contains("<td class=\"number\">55</td>"), "40 + 12 + 3 appointments booked this month")
                #expect(!page.text.contains("Grand département") && !page.text.contains("Petit département"))
                #expect(!page.text.contains("<td class=\"number\">52</td>"), "the big département's own total is not published")
                let csv = try await visitor.get("/statistiques/tendance.csv")
                #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(csv.text.contains("55") && !csv.text.contains("Grand"))
            }
        }
    }
}
