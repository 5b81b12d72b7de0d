import Agenda
import Foundation
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// What a booking needs around it: an organisation, a service, a lieu, a motif, an agent.
struct BookingFixture: Sendable {
    let tenant: Tenant
    let agent: Agent
    let lieuID: UUID
    let motifID: UUID

    static func make(in world: TestWorld) async throws -> BookingFixture {
        let tenant = try await world.makeTenant()
        let organisation = try await world.makeOrganisation(in: tenant)
        let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
        let (lieuID, motifID) = try await world.database.tenant(tenant).transaction { connection -> (UUID, UUID) in
            var ids: [UUID] = []
            for query: PostgresQuery in [
                "INSERT INTO services (name) VALUES ('PMI') RETURNING id",
                "INSERT INTO lieux (organisation_id, name) VALUES (\(organisation.id), 'Centre') RETURNING id",
            ] {
                for try await id in try await connection.query(query).decode(UUID.self) { ids.append(id) }
            }
            var motif: UUID?
            for try await id in try await connection.query(
                """
                INSERT INTO motifs (organisation_id, service_id, name, duration_minutes, collective, default_capacity)
                VALUES (\(organisation.id), \(ids[0]), 'Consultation', 30, false, NULL) RETURNING id
                """
            ).decode(UUID.self) { motif = id }
            return (ids[1], motif!)
        }
        return BookingFixture(tenant: tenant, agent: agent, lieuID: lieuID, motifID: motifID)
    }

    func makeUsager(_ world: TestWorld, name: String) async throws -> UUID {
        try await world.database.tenant(tenant).transaction { connection in
            var usager: UUID?
            for try await id in try await connection.query(
                "INSERT INTO usagers (first_name, last_name) VALUES (\(name), 'Usager') RETURNING id"
            ).decode(UUID.self) { usager = id }
            return usager!
        }
    }
}

@Suite struct BookingConcurrencyTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func manyConcurrentBookingsOfOneSlotLeaveExactlyOneWinner() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            var usagers: [UUID] = []
            for index in 0..<16 { usagers.append(try await fixture.makeUsager(world, name: "U\(index)")) }
            let start = self.start
            let results = try await withThrowingTaskGroup(of: Result<UUID, BookingError>.self) { group in
                for (index, usager) in usagers.enumerated() {
                    group.addTask {
                        // Overlapping, not identical, times: the constraint is about overlap.
                        let offset = TimeInterval((index % 3) * 600)
                        do {
                            let id = try await world.database.tenant(fixture.tenant).transaction { connection in
                                try await RdvRepository(connection).book(NewRdv(
                                    motifID: fixture.motifID, lieuID: fixture.lieuID, start: start.addingTimeInterval(offset),
                                    end: start.addingTimeInterval(offset + 1800), agentIDs: [fixture.agent.id], usagerIDs: [usager]
                                ))
                            }
                            return .success(id)
                        } catch let error as BookingError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = results.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            #expect(results.filter { if case .failure(.slotTaken) = $0 { true } else { false } }.count == 15)
            // Nothing half written: one RDV, one agent row, one participant.
            let counts = try await world.database.tenant(fixture.tenant).transaction { connection in
                var counts: [Int] = []
                for table in ["rdvs", "rdv_agents", "rdv_participants"] {
                    for try await count in try await connection.query("SELECT count(*)::int FROM \(unescaped: table)").decode(Int.self) {
                        counts.append(count)
                    }
                }
                return counts
            }
            #expect(counts == [1, 1, 1])
        }
    }

    @Test func aCancelledAppointmentGivesItsTimeBack() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            let first = try await fixture.makeUsager(world, name: "Premier")
            let second = try await fixture.makeUsager(world, name: "Second")
            let booking = { @Sendable (usager: UUID) in
                NewRdv(
                    motifID: fixture.motifID, lieuID: fixture.lieuID, start: self.start, end: self.start.addingTimeInterval(1800),
                    agentIDs: [fixture.agent.id], usagerIDs: [usager]
                )
            }
            let database = world.database.tenant(fixture.tenant)
            let rdv = try await database.transaction { try await RdvRepository($0).book(booking(first)) }
            await #expect(throws: BookingError.slotTaken) {
                try await database.transaction { try await RdvRepository($0).book(booking(second)) }
            }
            try await database.transaction { try await RdvRepository($0).setStatus(rdv, to: .excused) }
            let replacement = try await database.transaction { try await RdvRepository($0).book(booking(second)) }
            #expect(replacement != rdv)
            // The first one cannot come back over the second.
            await #expect(throws: BookingError.slotTaken) {
                try await database.transaction { try await RdvRepository($0).setStatus(rdv, to: .unknown) }
            }
            let history = try await database.transaction { try await RdvRepository($0).history(rdv) }
            #expect(history.map(\.1) == ["created", "status:excused"])
        }
    }

    @Test func theLastSeatOfACollectiveAppointmentGoesToOnePersonOnly() async throws {
        try await TestWorld.run { world in
            let fixture = try await BookingFixture.make(in: world)
            var usagers: [UUID] = []
            for index in 0..<10 { usagers.append(try await fixture.makeUsager(world, name: "P\(index)")) }
            let database = world.database.tenant(fixture.tenant)
            let session = try await database.transaction { connection in
                try await RdvRepository(connection).book(NewRdv(
                    motifID: fixture.motifID, lieuID: fixture.lieuID, start: self.start, end: self.start.addingTimeInterval(7200),
                    agentIDs: [fixture.agent.id], usagerIDs: [], capacity: 3
                ))
            }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for usager in usagers {
                    group.addTask {
                        do {
                            try await database.transaction { try await RdvRepository($0).join(session, usagerID: usager) }
                            return true
                        } catch BookingError.full {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 3)
            #expect(outcomes.filter { !$0 }.count == 7)
        }
    }

    @Test func oneDepartementsBookingsDoNotTouchAnothers() async throws {
        try await TestWorld.run { world in
            let a = try await BookingFixture.make(in: world)
            let b = try await BookingFixture.make(in: world)
            for fixture in [a, b] {
                let usager = try await fixture.makeUsager(world, name: "Même heure")
                _ = try await world.database.tenant(fixture.tenant).transaction { connection in
                    try await RdvRepository(connection).book(NewRdv(
                        motifID: fixture.motifID, lieuID: fixture.lieuID, start: self.start, end: self.start.addingTimeInterval(1800),
                        agentIDs: [fixture.agent.id], usagerIDs: [usager]
                    ))
                }
            }
            // An id of B's appointment means nothing in A.
            let bRdv = try await world.database.tenant(b.tenant).transaction { connection in
                var id: UUID?
                for try await value in try await connection.query("SELECT id FROM rdvs").decode(UUID.self) { id = value }
                return id!
            }
            await #expect(throws: BookingError.rdvNotFound) {
                try await world.database.tenant(a.tenant).transaction { try await RdvRepository($0).setStatus(bRdv, to: .revoked) }
            }
        }
    }
}
