import Agenda
import Booking
import Foundation
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An agent with a bit of everything a feed shows: an appointment moved once, one cancelled,
/// one on a sensitive motif, one too old and one too far ahead for the feed, and an absence.
struct CalendarFeedFixture: Sendable {
    let setup: OnlineSetup
    let moved: UUID
    let cancelled: UUID
    let sensitive: UUID
    let tooOld: UUID
    let tooFar: UUID
    let absenceID: UUID
    /// Where the moved appointment is now.
    let movedStart: Date
    let absenceStart: Date

    static func make(_ world: TestWorld) async throws -> CalendarFeedFixture {
        let setup = try await OnlineSetup.make(world)
        let (tenant, agent, clock, monday) = (setup.tenant, setup.agent, setup.clock, setup.monday)
        let nine = clock.instant(monday, LocalTime("09:00")!), halfPast = clock.instant(monday, LocalTime("09:30")!)
        let links = NoticeLinks(secret: TestWorld.secretKey, publicURL: "http://\(setup.host)", scope: tenant.schemaName)
        return try await world.database.tenant(tenant).transaction { connection in
            let appointments = AgentAppointments(connection, tenant: tenant, links: links, agent: agent)
            let lea = AppointmentAttendee.new(firstName: "Léa", lastName: "Martin", phone: nil, email: "lea.martin@exemple.fr", birthDate: nil)
            let paul = AppointmentAttendee.new(firstName: "Paul", lastName: "Durand", phone: nil, email: "paul.durand@exemple.fr", birthDate: nil)
            let moved = try await appointments.book(motifID: setup.motifID, lieuID: setup.lieuID, agentID: agent.id, start: nine, for: lea)
            let cancelled = try await appointments.book(motifID: setup.motifID, lieuID: setup.lieuID, agentID: agent.id, start: halfPast, for: paul)
            try await appointments.setStatus(cancelled, to: .revoked)
            try await appointments.move(moved, to: halfPast)

            let catalog = AgendaCatalog(connection)
            var rules = MotifRules(name: "Consultation confidentielle", serviceID: try await catalog.ensureService(named: "PMI"), durationMinutes: 30)
            rules.sensitive = true
            let sensitiveMotif = try #require(try await MotifRepository(connection).create(organisationID: setup.organisation.id, rules))
            let usagers = UsagerRepository(connection), rdvs = RdvRepository(connection)
            let zoe = try await usagers.create(firstName: "Zoé", lastName: "Secret", phone: nil, email: nil)
            func book(_ motif: UUID, _ start: Date) async throws -> UUID {
                try await rdvs.book(NewRdv(
                    motifID: motif, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [agent.id], usagerIDs: [zoe]
                ))
            }
            let sensitive = try await book(sensitiveMotif, clock.instant(monday.adding(days: 1), LocalTime("11:00")!))
            let tooOld = try await book(setup.motifID, Date().addingTimeInterval(-40 * 86_400))
            let tooFar = try await book(setup.motifID, Date().addingTimeInterval(400 * 86_400))
            let absenceDay = monday.adding(days: 2)
            let absenceID = try await AbsenceRepository(connection).create(
                agentID: agent.id, title: "Formation Martin",
                span: RecurringSpan(firstDay: absenceDay, start: LocalTime("14:00")!, end: LocalTime("16:00")!, recurrence: .once)
            )
            return CalendarFeedFixture(
                setup: setup, moved: moved, cancelled: cancelled, sensitive: sensitive, tooOld: tooOld, tooFar: tooFar, absenceID: absenceID,
                movedStart: halfPast, absenceStart: clock.instant(absenceDay, LocalTime("14:00")!)
            )
        }
    }

    /// The calendars attached to the emails sent about `rdvID`: the confirmation first (the
    /// fixture wrote them all in one transaction, so their times are equal).
    func invitations(of rdvID: UUID, _ world: TestWorld) async throws -> [String] {
        try await world.database.tenant(setup.tenant).transaction { connection in
            var calendars: [String] = []
            for try await calendar in try await connection.query(
                "SELECT calendar FROM messages WHERE rdv_id = \(rdvID) AND calendar IS NOT NULL AND channel = 'email' ORDER BY kind <> 'confirmation'"
            ).decode(String.self) { calendars.append(calendar) }
            return calendars
        }
    }

    /// The audit trail's actions about the agent, oldest first.
    func auditActions(_ world: TestWorld) async throws -> [String] {
        try await world.database.tenant(setup.tenant).transaction { [agentID = setup.agent.id] connection in
            var actions: [String] = []
            for try await action in try await connection.query(
                "SELECT action FROM audit_events WHERE subject_agent_id = \(agentID) AND action LIKE 'calendar_feed.%' ORDER BY id"
            ).decode(String.self) { actions.append(action) }
            return actions
        }
    }
}

/// A calendar file as Python's `icalendar` package reads it (Tests/Calendar/read_ics.py).
struct ParsedCalendar: Decodable, Sendable {
    struct Instant: Decodable, Sendable {
        let utc: Bool
        let epoch: Int?
    }

    struct Event: Decodable, Sendable {
        let uid: String
        let sequence: Int
        let status: String
        let transparent: Bool
        let start: Instant
        let end: Instant
        let stamp: Instant
        let summary: String
        let location: String
        let description: String
    }

    let properties: [String: String]
    let events: [Event]

    static let script = TestWorld.repositoryRoot.appendingPathComponent("Tests/Calendar/read_ics.py").path

    /// Each text written to a file and read by `icalendar`.
    static func read(_ texts: [String]) async throws -> [ParsedCalendar] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-ics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, text) in texts.enumerated() {
            let file = directory.appendingPathComponent("\(index).ics")
            try Data(text.utf8).write(to: file)
            paths.append(file.path)
        }
        let (status, output) = try await BrowserBookingTests.run(["python3", script] + paths)
        #expect(status == 0, "read_ics.py: \(output)")
        return try JSONDecoder().decode([ParsedCalendar].self, from: Data(output.utf8))
    }
}
