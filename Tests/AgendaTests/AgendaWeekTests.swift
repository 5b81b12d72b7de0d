import Agenda
import Foundation
import Scheduling
import Testing
import TestSupport

@Suite struct AgendaWeekTests {
    let week = TimeRange(start: Date(timeIntervalSince1970: 1_800_000_000), end: Date(timeIntervalSince1970: 1_800_000_000 + 7 * 86_400))

    @Test func theWeekShowsWhatOverlapsItCancelledAndMovedIncludedAndNothingElse() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let colleague = try await world.makeAgent(in: fixture.tenant, role: .agent, organisation: try await world.makeOrganisation(in: fixture.tenant))
            let week = self.week
            let (shown, expected, empty) = try await world.database.tenant(fixture.tenant).transaction { connection in
                let rdvs = RdvRepository(connection)
                func book(_ offset: TimeInterval, minutes: TimeInterval = 30, agent: UUID = fixture.agent.id) async throws -> UUID {
                    let start = week.start.addingTimeInterval(offset)
                    return try await rdvs.book(NewRdv(
                        motifID: fixture.motifID, lieuID: fixture.lieuID, start: start, end: start.addingTimeInterval(minutes * 60),
                        agentIDs: [agent], usagerIDs: []
                    ))
                }
                // Cancelled, the two at the edges free the time that the two across the edges take.
                let endsAsTheWeekStarts = try await book(-1800)
                try await rdvs.setStatus(endsAsTheWeekStarts, to: .revoked)
                let startsAsTheWeekEnds = try await book(7 * 86_400)
                try await rdvs.setStatus(startsAsTheWeekEnds, to: .excused)
                let acrossTheStart = try await book(-900)
                let acrossTheEnd = try await book(7 * 86_400 - 600)
                let inside = try await book(86_400)
                let cancelled = try await book(2 * 86_400)
                try await rdvs.setStatus(cancelled, to: .excused)
                let movedIn = try await book(-10 * 86_400)
                try await rdvs.move(movedIn, to: week.start.addingTimeInterval(3 * 86_400), byAgent: nil)
                let movedOut = try await book(4 * 86_400)
                try await rdvs.move(movedOut, to: week.end.addingTimeInterval(86_400), byAgent: nil)
                _ = try await book(5 * 86_400, agent: colleague.id)
                let shown = try await RdvQueries(connection).of(agentID: fixture.agent.id, in: week).map(\.id)
                // An empty span keeps what strictly contains its instant, as the test on `rdvs` says.
                let instant = TimeRange(start: week.start.addingTimeInterval(86_400 + 600), end: week.start.addingTimeInterval(86_400 + 600))
                let empty = try await RdvQueries(connection).of(agentID: fixture.agent.id, in: instant).map(\.id)
                return (shown, [acrossTheStart, inside, cancelled, movedIn, acrossTheEnd], empty)
            }
            #expect(shown == expected)
            #expect(empty == [expected[1]])
        }
    }
}
