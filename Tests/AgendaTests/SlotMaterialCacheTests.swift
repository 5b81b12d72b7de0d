import Agenda
import Foundation
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Searches reuse what they read while the agenda stays the same, and see every change at once.
@Suite struct SlotMaterialCacheTests {
    @Test func everyChangeOfPlageExceptionAbsenceLieuOrMotifShowsInTheNextSearch() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let clock = try #require(WallClock(timeZone: fixture.tenant.timeZone))
            let monday = try #require(LocalDate(iso: "2027-05-03"))
            let now = clock.instant(monday.adding(days: -2), LocalTime("12:00")!)
            let database = world.database.tenant(fixture.tenant)
            let search = {
                try await database.transaction { connection in
                    try await SlotSearch(connection, tenant: fixture.tenant).slots(motifID: fixture.motifID, now: now, within: 9)
                        .map { "\(clock.localDate(of: $0.range.start)) \(clock.localTime(of: $0.range.start))" }
                }
            }
            #expect(try await search().isEmpty)
            let plage = try await database.transaction { connection in
                try await PlageRepository(connection).create(
                    agentID: fixture.agent.id, lieuID: fixture.lieuID,
                    span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .weekly(interval: 1, on: [.monday, .tuesday], until: nil)),
                    motifIDs: [fixture.motifID]
                )
            }
            #expect(try await search() == ["2027-05-03 09:00", "2027-05-03 09:30", "2027-05-04 09:00", "2027-05-04 09:30", "2027-05-10 09:00", "2027-05-10 09:30"])
            #expect(try await search().count == 6, "the same answer from what was kept")

            try await database.transaction { try await PlageRepository($0).change(plage: plage, on: monday, to: .cancelled) }
            #expect(try await search() == ["2027-05-04 09:00", "2027-05-04 09:30", "2027-05-10 09:00", "2027-05-10 09:30"])

            try await database.transaction { connection in
                try await AbsenceRepository(connection).create(
                    agentID: fixture.agent.id, title: "",
                    span: RecurringSpan(firstDay: monday.adding(days: 1), start: LocalTime("09:00")!, end: LocalTime("09:30")!, recurrence: .once)
                )
            }
            #expect(try await search() == ["2027-05-04 09:30", "2027-05-10 09:00", "2027-05-10 09:30"])

            try await database.transaction { connection in
                var rules = try #require(try await MotifRepository(connection).find(fixture.motifID)).rules
                rules.durationMinutes = 60
                #expect(try await MotifRepository(connection).update(fixture.motifID, rules))
            }
            #expect(try await search() == ["2027-05-10 09:00"])

            try await database.transaction { connection in
                let lieu = try #require(try await AgendaCatalog(connection).lieux().first { $0.id == fixture.lieuID })
                #expect(try await AgendaCatalog(connection).updateLieu(lieu.id, name: lieu.name, address: lieu.address, phone: nil, status: .disabled))
            }
            #expect(try await search().isEmpty)
        }
    }
}
