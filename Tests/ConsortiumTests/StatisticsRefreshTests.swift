import Consortium
import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// The refresh against hand-computed figures (see `StatisticsFixture`), incremental, after
/// retention, and département by département.
@Suite struct StatisticsRefreshTests {
    func refresher(_ world: TestWorld) -> StatisticsRefresher {
        StatisticsRefresher(database: world.database, overlap: 0, logger: world.database.logger)
    }

    func january(_ world: TestWorld) async throws -> [Int: StatisticsFigures] {
        let monthly = try await world.database.shared.transaction { try await StatisticsRepository($0).monthly(from: "2026-01", through: "2026-01") }
        return monthly.mapValues { $0["2026-01"] ?? StatisticsFigures() }
    }

    static let expectedA: [StatisticsMetric: Int] = [
        .createdAgent: 3, .createdUsager: 3, .createdWaitingList: 1, .createdAPI: 1,
        .seen: 3, .noshow: 2, .excused: 1, .revoked: 1, .noshowReminded: 1, .noshowNotReminded: 1,
        .remindersEmail: 1, .remindersSMS: 1, .confirmationsEmail: 1, .confirmationsSMS: 1, .smsSegments: 3,
        .slotsFreed: 1, .slotsRebooked: 1, .offersSent: 2, .offersTaken: 1, .activeAgents: 2, .usagersServed: 3,
    ]

    static let expectedB: [StatisticsMetric: Int] = [.createdAgent: 6, .seen: 6, .activeAgents: 1, .usagersServed: 6]

    func check(_ figures: StatisticsFigures?, _ expected: [StatisticsMetric: Int], _ label: String) {
        for metric in StatisticsMetric.allCases {
            #expect(figures?[metric] == expected[metric] ?? 0, "\(label) \(metric)")
        }
    }

    @Test func theFiguresOfEachDepartementAreTheHandComputedOnes() async throws {
        try await TestWorld.run { world in
            let fixture = try await StatisticsFixture.make(world)
            let outcomes = try await refresher(world).refreshAll()
            let daysOfA = try #require(outcomes.first { $0.tenantID == fixture.a.id }).days
            #expect(daysOfA == ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-10", "2026-01-12", "2026-01-13"])
            let figures = try await january(world)
            check(figures[fixture.a.id], Self.expectedA, "A")
            check(figures[fixture.b.id], Self.expectedB, "B")
            // Lead days of A: 7, 6, 6, 5, 5, 2, 4, 0 → median 5; B: six times 7.
            #expect(figures[fixture.a.id]?.lead.median == 5 && figures[fixture.b.id]?.lead.median == 7)

            let activity = try await world.database.shared.transaction { try await StatisticsRepository($0).departementActivity() }
            #expect(activity[fixture.a.id]?.agents == 2 && activity[fixture.a.id]?.usagers == 8)
            #expect(activity[fixture.b.id]?.agents == 1 && activity[fixture.b.id]?.usagers == 6)
            // Nothing was created nor sent this month (the dataset is of January 2026).
            #expect(activity[fixture.a.id]?.rdvsThisMonth == 0 && activity[fixture.a.id]?.smsSegmentsThisMonth == 0)
            #expect(activity[fixture.a.id]?.lastActivityAt != nil)
        }
    }

    @Test func theSideBySideTablesHideSmallCountsAndWhatWouldGiveThemBack() async throws {
        try await TestWorld.run { world in
            let fixture = try await StatisticsFixture.make(world)
            try await refresher(world).refreshAll()
            let report = StatisticsReport(
                members: [fixture.a, fixture.b].map { .init(id: $0.id, code: $0.code.value, name: $0.name) },
                figures: try await world.database.shared.transaction { try await StatisticsRepository($0).monthly(from: "2026-01", through: "2026-01") }
            )
            let bookings = report.sideBySide(.bookings, month: "2026-01")
            func row(_ label: String) throws -> [StatisticsTable.Cell] {
                try #require(zip(bookings.rowLabels, bookings.cells).first { $0.0.hasPrefix(label) }?.1)
            }
            // A: 3, 3, 1, 1 → all small; total 8. B: 6, 0, 0, 0 → its 6 alone would be
            // 9 − A's hidden 3, so it goes, and then its first zero with it (6 = total of B).
            #expect(try row("Alpha") == [.small, .small, .small, .small, .count(8)])
            #expect(try row("Bêta") == [.secret, .secret, .count(0), .count(0), .count(6)])
            #expect(try row("Consortium") == [.count(9), .small, .small, .small, .count(14)])
            let activity = report.sideBySide(.activity, month: "2026-01")
            #expect(activity.cells.last == [.small, .count(9), .days(6.5)])
            // A département's own page shows its row of the side-by-side table, secrets included.
            let member = report.members.first { $0.id == fixture.b.id }!
            #expect(report.departement(member, .bookings, month: "2026-01").cells == [[.secret, .secret, .count(0), .count(0), .count(6)]])
        }
    }

    @Test func anIncrementalRefreshRecountsOnlyTheDayThatChanged() async throws {
        try await TestWorld.run { world in
            let fixture = try await StatisticsFixture.make(world)
            try await refresher(world).refreshAll()
            let before = try await computedAt(world, fixture.a.id)
            let unchanged = try await refresher(world).refreshAll()
            #expect(unchanged.allSatisfy { $0.days.isEmpty }, "nothing changed: nothing recounted")

            // RDV 8 (booked and held on the 13th) is marked seen, as the agenda does it.
            try await world.database.tenant(fixture.a).transaction { connection in
                try await connection.query("UPDATE rdvs SET status = 'seen', updated_at = now() WHERE id = \(fixture.lateRdv)")
                try await connection.query("UPDATE rdv_participants SET status = 'seen' WHERE rdv_id = \(fixture.lateRdv)")
                try await connection.query("INSERT INTO rdv_events (rdv_id, action) VALUES (\(fixture.lateRdv), 'status:seen')")
            }
            let outcomes = try await refresher(world).refreshAll()
            #expect(outcomes.first { $0.tenantID == fixture.a.id }?.days == ["2026-01-13"])
            #expect(outcomes.first { $0.tenantID == fixture.a.id }?.months == ["2026-01-01"])
            #expect(outcomes.first { $0.tenantID == fixture.b.id }?.days == [], "B did not change")
            let after = try await computedAt(world, fixture.a.id)
            for (day, at) in before where day != "2026-01-13" { #expect(after[day] == at, "\(day) was not recounted") }
            #expect(after["2026-01-13"]! > before["2026-01-13"]!)
            let figures = try await january(world)
            #expect(figures[fixture.a.id]?[.seen] == 4 && figures[fixture.a.id]?[.usagersServed] == 4)
            check(figures[fixture.b.id], Self.expectedB, "B")
        }
    }

    @Test func figuresSurviveTheDeletionOfTheirAppointmentsIncrementallyAndInFull() async throws {
        try await TestWorld.run { world in
            let fixture = try await StatisticsFixture.make(world)
            try await refresher(world).refreshAll()
            // Retention: every appointment of the 12th goes, with its agents, participants and events.
            try await world.database.tenant(fixture.a).transaction { connection in
                try await connection.query("DELETE FROM waiting_list")
                try await connection.query("DELETE FROM rdvs WHERE starts_at < '2026-01-13 00:00+01'")
            }
            try await refresher(world).refreshAll()
            check(try await january(world)[fixture.a.id], Self.expectedA, "A after an incremental refresh")
            let full = try await refresher(world).refreshAll(full: true)
            // What still has rows: the messages (6th, 10th), the offers (10th), RDV 8 (13th).
            #expect(full.first { $0.tenantID == fixture.a.id }?.days == ["2026-01-06", "2026-01-10", "2026-01-13"])
            let figures = try await january(world)
            check(figures[fixture.a.id], Self.expectedA, "A after a full refresh")
            #expect(figures[fixture.a.id]?.lead.median == 5)
            check(figures[fixture.b.id], Self.expectedB, "B")
        }
    }

    @Test func theApplicationRoleWritesOnlyTheStatisticsTablesOfShared() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await refresher(world).refresh(tenant)
            let refused: [PostgresQuery] = [
                "DELETE FROM shared.statistics_days",
                "DELETE FROM shared.statistics_months",
                "DELETE FROM shared.departement_activity",
                "UPDATE shared.tenants SET name = 'x'",
            ]
            for query in refused {
                let error = await #expect(throws: PSQLError.self, "\(query.sql)") {
                    try await world.database.shared.transaction { try await $0.query(query) }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(query.sql)")
            }
        }
    }

    func computedAt(_ world: TestWorld, _ tenantID: Int) async throws -> [String: Date] {
        var stamps: [String: Date] = [:]
        for row in try await world.database.appQuery("SELECT day::text, computed_at FROM shared.statistics_days WHERE tenant_id = \(tenantID)") {
            let (day, at) = try row.decode((String, Date).self)
            stamps[day] = at
        }
        return stamps
    }
}
