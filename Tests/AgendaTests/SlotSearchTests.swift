import Agenda
import Foundation
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SlotSearchTests {
    @Test func searchReadsPlagesAbsencesAppointmentsAndHolidaysFromTheDatabase() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let clock = try #require(WallClock(timeZone: fixture.tenant.timeZone))
            let monday = try #require(LocalDate(iso: "2027-05-03"))
            let database = world.database.tenant(fixture.tenant)
            let plage = try await database.transaction { connection in
                let plages = PlageRepository(connection)
                let id = try await plages.create(
                    agentID: fixture.agent.id, lieuID: fixture.lieuID,
                    span: RecurringSpan(
                        firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("11:00")!,
                        recurrence: .weekly(interval: 1, on: [.monday], until: nil)
                    ),
                    motifIDs: [fixture.motifID]
                )
                // Only the occurrence of 10 May changes: it starts at 10:00.
                try await plages.change(plage: id, on: monday.adding(days: 7), to: .moved(date: monday.adding(days: 7), start: LocalTime("10:00")!, end: LocalTime("11:00")!))
                try await AbsenceRepository(connection).create(
                    agentID: fixture.agent.id, title: "Formation",
                    span: RecurringSpan(firstDay: monday.adding(days: 21), start: LocalTime("00:00")!, end: LocalTime("23:59")!, recurrence: .once)
                )
                return id
            }
            let usager = try await fixture.makeUsager(world, name: "Déjà là")
            try await database.transaction { connection in
                _ = try await RdvRepository(connection).book(NewRdv(
                    motifID: fixture.motifID, lieuID: fixture.lieuID, start: clock.instant(monday, LocalTime("09:30")!),
                    end: clock.instant(monday, LocalTime("10:00")!), agentIDs: [fixture.agent.id], usagerIDs: [usager]
                ))
            }
            let now = clock.instant(monday.adding(days: -2), LocalTime("12:00")!)
            let slots = try await database.transaction { connection in
                try await SlotSearch(connection, tenant: fixture.tenant).slots(motifID: fixture.motifID, now: now, within: 28)
            }
            let seen = slots.map { "\(clock.localDate(of: $0.range.start)) \(clock.localTime(of: $0.range.start))" }
            // 3 May: 9:30 taken; 10 May: moved to 10:00; 17 May: Whit Monday (Easter 2027 is 28 March); 24 May: absence.
            #expect(seen == ["2027-05-03 09:00", "2027-05-03 10:00", "2027-05-03 10:30", "2027-05-10 10:00", "2027-05-10 10:30"])
            #expect(slots.allSatisfy { $0.agentID == fixture.agent.id && $0.lieuID == fixture.lieuID })
            _ = plage
        }
    }

    @Test func anotherDepartementsMotifIsNotFound() async throws {
        try await TestWorld.run { world in
            let a = try await BookingFixture.make(in: world)
            let b = try await BookingFixture.make(in: world)
            await #expect(throws: BookingError.motifUnavailable) {
                try await world.database.tenant(a.tenant).transaction { connection in
                    try await SlotSearch(connection, tenant: a.tenant).slots(motifID: b.motifID, now: Date())
                }
            }
        }
    }

    @Test func recurrenceJSONRoundTrips() {
        let cases: [Recurrence] = [
            .once,
            .weekly(interval: 2, on: [.monday, .friday], until: LocalDate(iso: "2027-06-30")),
            .weekly(interval: 1, on: [.wednesday], until: nil),
            .monthly(interval: 1, ordinal: -1, weekday: .thursday, until: nil),
        ]
        for recurrence in cases {
            #expect(Recurrence(json: recurrence.json) == recurrence)
        }
        #expect(Recurrence(json: #"{"kind":"weekly","weekdays":[]}"#) == nil)
        #expect(Recurrence(json: "not json") == nil)
    }
}

@Suite struct SlotSearchLimitTests {
    @Test func aLimitedSearchGivesTheSameFirstSlotsAsAFullOne() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let clock = try #require(WallClock(timeZone: fixture.tenant.timeZone))
            let monday = try #require(LocalDate(iso: "2027-03-01"))
            let database = world.database.tenant(fixture.tenant)
            try await database.transaction { connection in
                try await PlageRepository(connection).create(
                    agentID: fixture.agent.id, lieuID: fixture.lieuID,
                    span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .weekly(interval: 1, on: [.tuesday], until: nil)),
                    motifIDs: [fixture.motifID]
                )
            }
            let now = clock.instant(monday, LocalTime("08:00")!)
            let (full, few, many) = try await database.transaction { connection in
                let search = SlotSearch(connection, tenant: fixture.tenant)
                return (
                    try await search.slots(motifID: fixture.motifID, now: now, within: 42),
                    try await search.slots(motifID: fixture.motifID, now: now, within: 42, limit: 1),
                    try await search.slots(motifID: fixture.motifID, now: now, within: 42, limit: 5)
                )
            }
            // Two slots a week: one week suffices for one slot, five need the longer horizon.
            #expect(full.count == 12)
            #expect(few == Array(full.prefix(1)))
            #expect(many == Array(full.prefix(5)))
        }
    }
}

@Suite struct NextAvailabilityTests {
    @Test func eachLieuGetsItsFirstFreeSlotHoweverFarAway() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let clock = try #require(WallClock(timeZone: fixture.tenant.timeZone))
            let monday = try #require(LocalDate(iso: "2027-03-01"))
            let database = world.database.tenant(fixture.tenant)
            let farLieu = try await database.transaction { connection -> UUID in
                let organisation = try #require(try await OrganisationRepository(connection).all().first)
                let far = try await AgendaCatalog(connection).ensureLieu(organisationID: organisation.id, name: "Antenne rurale", address: "Mairie")
                let plages = PlageRepository(connection)
                try await plages.create(
                    agentID: fixture.agent.id, lieuID: fixture.lieuID,
                    span: RecurringSpan(firstDay: monday.adding(days: 1), start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .once),
                    motifIDs: [fixture.motifID]
                )
                // Five weeks away: beyond the first two horizons searched.
                try await plages.create(
                    agentID: fixture.agent.id, lieuID: far,
                    span: RecurringSpan(firstDay: monday.adding(days: 35), start: LocalTime("14:00")!, end: LocalTime("15:00")!, recurrence: .once),
                    motifIDs: [fixture.motifID]
                )
                return far
            }
            let (slots, next) = try await database.transaction { connection in
                try await SlotSearch(connection, tenant: fixture.tenant).overview(
                    motifID: fixture.motifID, now: clock.instant(monday, LocalTime("08:00")!), within: 42, limit: 10
                )
            }
            #expect(slots.count == 4, "two half-hour slots in each one-hour plage, both within six weeks")
            #expect(next.count == 2)
            #expect(next[fixture.lieuID] == clock.instant(monday.adding(days: 1), LocalTime("09:00")!))
            #expect(next[farLieu] == clock.instant(monday.adding(days: 35), LocalTime("14:00")!))
        }
    }
}
