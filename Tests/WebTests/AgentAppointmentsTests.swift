import Agenda
import Booking
import Foundation
import Identity
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// The agent's appointment use cases called directly, as the API will call them: the
/// permission is inside the service, another département's ids are not found, and a refused
/// change leaves nothing written.
@Suite struct AgentAppointmentsTests {
    func links(_ tenant: Tenant) -> NoticeLinks {
        NoticeLinks(secret: TestWorld.secretKey, publicURL: "http://\(tenant.slug).rdv.test", scope: tenant.schemaName)
    }

    func run<T: Sendable>(
        _ world: TestWorld, _ setup: OnlineSetup, as agent: Agent, _ body: @escaping @Sendable (AgentAppointments) async throws -> T
    ) async throws -> T {
        try await world.database.tenant(setup.tenant).transaction { [links = links(setup.tenant)] connection in
            try await body(AgentAppointments(connection, tenant: setup.tenant, links: links, agent: agent))
        }
    }

    @Test func bookMoveCancelWithThePermissionInsideAndNothingAcrossDepartements() async throws {
        try await TestWorld.run { world in
            let mine = try await OnlineSetup.make(world)
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            let nine = mine.clock.instant(mine.monday, LocalTime("09:00")!)
            let attendee = AppointmentAttendee.new(firstName: "Léa", lastName: "Martin", phone: nil, email: "lea.martin@exemple.fr", birthDate: nil)

            let rdvID = try await run(world, mine, as: mine.agent) {
                try await $0.book(motifID: mine.motifID, lieuID: mine.lieuID, agentID: mine.agent.id, start: nine, for: attendee)
            }
            // The same time again: PostgreSQL refuses the double booking, nothing is written.
            await #expect(throws: BookingError.slotTaken) {
                try await run(world, mine, as: mine.agent) {
                    try await $0.book(motifID: mine.motifID, lieuID: mine.lieuID, agentID: mine.agent.id, start: nine, for: attendee)
                }
            }
            #expect(try await world.database.tenant(mine.tenant).transaction { connection in
                try await connection.query("SELECT count(*)::int FROM usagers").decode(Int.self).first { _ in true }
            } == 1, "the refused booking created no usager")

            // Another agent of another organisation in the same département: not visible, so not found.
            let outsiderOrganisation = try await world.makeOrganisation(in: mine.tenant, name: "Autre organisation")
            let outsider = try await world.makeAgent(in: mine.tenant, role: .agent, organisation: outsiderOrganisation)
            await #expect(throws: BookingError.rdvNotFound) {
                try await run(world, mine, as: outsider) { try await $0.setStatus(rdvID, to: .revoked) }
            }
            await #expect(throws: AgentAppointmentError.forbidden) {
                try await run(world, mine, as: outsider) {
                    try await $0.book(motifID: mine.motifID, lieuID: mine.lieuID, agentID: mine.agent.id, start: nine.addingTimeInterval(1800), for: attendee)
                }
            }

            // Another département's agent, with this département's ids: nothing is found, nothing changes.
            await #expect(throws: BookingError.rdvNotFound) {
                try await run(world, theirs, as: theirs.agent) { try await $0.setStatus(rdvID, to: .revoked) }
            }
            await #expect(throws: BookingError.rdvNotFound) {
                try await run(world, theirs, as: theirs.agent) {
                    try await $0.book(motifID: mine.motifID, lieuID: theirs.lieuID, agentID: theirs.agent.id, start: nine, for: attendee)
                }
            }
            await #expect(throws: BookingError.rdvNotFound) {
                try await run(world, theirs, as: theirs.agent) { try await $0.changeAgent(mine.agent.id, of: rdvID, remove: false) }
            }

            // Notes beyond the limit are refused; a move keeps the appointment; a cancellation tells the usager.
            await #expect(throws: AgentAppointmentError.notesTooLong) {
                try await run(world, mine, as: mine.agent) { try await $0.setNotes(rdvID, String(repeating: "a", count: 5001)) }
            }
            let half = nine.addingTimeInterval(1800)
            try await run(world, mine, as: mine.agent) { try await $0.move(rdvID, to: half) }
            try await run(world, mine, as: mine.agent) { try await $0.setStatus(rdvID, to: .revoked) }
            await #expect(throws: AgentAppointmentError.notMovable) {
                try await run(world, mine, as: mine.agent) { try await $0.move(rdvID, to: nine) }
            }
            let (start, status, notes, kinds) = try await world.database.tenant(mine.tenant).transaction { connection in
                let found = try #require(try await RdvQueries(connection).find(rdvID))
                var kinds: [String] = []
                for try await kind in try await connection.query("SELECT DISTINCT kind FROM messages WHERE rdv_id = \(rdvID) ORDER BY kind").decode(String.self) {
                    kinds.append(kind)
                }
                return (found.summary.range.start, found.summary.status, found.notes, kinds)
            }
            #expect(start == half && status == .revoked && notes.isEmpty)
            #expect(kinds.contains("cancellation") && kinds.contains("confirmation"), "the usager is told: \(kinds)")
            let theirRdvs = try await world.database.tenant(theirs.tenant).transaction { connection in
                try await connection.query("SELECT count(*)::int FROM rdvs").decode(Int.self).first { _ in true }
            }
            #expect(theirRdvs == 0)
        }
    }
}
