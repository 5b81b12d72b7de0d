import Agenda
import Foundation
import Identity
import Logging
import Notifications
import Scheduling
import Testing
import TestSupport
import Transports
@testable import Tenancy

/// A département with one appointment booked for a usager who has an email and a mobile.
struct NoticeFixture: Sendable {
    let tenant: Tenant
    let rdvID: UUID
    let start: Date
    let clock: WallClock
    let links: NoticeLinks

    static func make(_ world: TestWorld, daysAhead: Int = 5, at time: String = "10:00", phone: String? = "06 12 34 56 78", sensitive: Bool = false) async throws -> NoticeFixture {
        let tenant = try await world.makeTenant()
        let organisation = try await world.makeOrganisation(in: tenant)
        let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
        let clock = try #require(WallClock(timeZone: tenant.timeZone))
        let start = clock.instant(clock.localDate(of: Date()).adding(days: daysAhead), LocalTime(time)!)
        let links = NoticeLinks(secret: TestWorld.secretKey, publicURL: "http://\(tenant.slug).rdv.test", scope: tenant.schemaName)
        let rdvID = try await world.database.tenant(tenant).transaction { connection in
            let catalog = AgendaCatalog(connection)
            let service = try await catalog.ensureService(named: "PMI")
            let lieu = try await catalog.ensureLieu(organisationID: organisation.id, name: "Centre d’Arras", address: "1 rue de la Paix")
            var rules = MotifRules(name: "Consultation", serviceID: service, durationMinutes: 30)
            rules.sensitive = sensitive
            rules.instructionsAfter = "Apportez le carnet de santé."
            let motif = try #require(try await MotifRepository(connection).create(organisationID: organisation.id, rules))
            let usager = try await UsagerRepository(connection).create(firstName: "Léa", lastName: "Martin", phone: phone.flatMap { PhoneNumber($0)?.e164 }, email: "lea@exemple.fr")
            let rdvID = try await RdvRepository(connection).book(NewRdv(
                motifID: motif, lieuID: lieu, start: start, end: start.addingTimeInterval(1800), agentIDs: [agent.id], usagerIDs: [usager]
            ))
            try await AppointmentNotices(connection, tenant: tenant, links: links).record(.booked, rdvID: rdvID, byUsager: false)
            return rdvID
        }
        return NoticeFixture(tenant: tenant, rdvID: rdvID, start: start, clock: clock, links: links)
    }

    struct Row: Sendable, Hashable {
        let channel: String
        let kind: String
        let state: String
        let recipient: String
        let subject: String
        let body: String
        let notBefore: Date
        let calendar: String?
    }

    func messages(_ world: TestWorld) async throws -> [Row] {
        try await world.database.tenant(tenant).transaction { connection in
            var rows: [Row] = []
            for try await (channel, kind, state, recipient, subject, body, notBefore, calendar) in try await connection.query(
                "SELECT channel, kind, state, recipient, subject, body, not_before, calendar FROM messages ORDER BY not_before, channel"
            ).decode((String, String, String, String, String, String, Date, String?).self) {
                rows.append(Row(channel: channel, kind: kind, state: state, recipient: recipient, subject: subject, body: body, notBefore: notBefore, calendar: calendar))
            }
            return rows
        }
    }

    func worker(_ world: TestWorld, email: any MessageTransport = SandboxTransport(), batchSize: Int = 50) -> NotificationWorker {
        NotificationWorker(
            database: world.database, configuration: DeliveryConfiguration(
                email: email, smsTransport: SMSProviders.factory(), secret: TestWorld.secretKey, sandboxAllowed: true
            ),
            batchSize: batchSize, logger: Logger(label: "rdv.tests.worker")
        )
    }
}
