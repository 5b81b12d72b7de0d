import Agenda
import Booking
import Consortium
import Foundation
import HummingbirdTesting
import Identity
import Logging
import Notifications
import PostgresNIO
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Confirm or release: the request and its two one-click links, and what the deadline pass does
/// to the appointments nobody answered for.
@Suite struct ConfirmationTests {
    /// One message about an appointment, as queued.
    struct Queued: Sendable {
        let channel: String
        let kind: String
        let subject: String
        let body: String
        let notBefore: Date
        let state: String
    }

    static func messages(_ world: TestWorld, _ setup: OnlineSetup, rdvID: UUID) async throws -> [Queued] {
        try await world.database.tenant(setup.tenant).transaction { connection in
            var found: [Queued] = []
            for try await row in try await connection.query(
                "SELECT channel, kind, subject, body, not_before, state FROM messages WHERE rdv_id = \(rdvID) ORDER BY created_at, channel"
            ).decode((String, String, String, String, Date, String).self) {
                found.append(Queued(channel: row.0, kind: row.1, subject: row.2, body: row.3, notBefore: row.4, state: row.5))
            }
            return found
        }
    }

    static func rdvState(_ world: TestWorld, _ setup: OnlineSetup, _ rdvID: UUID) async throws -> (status: String, confirmation: String?) {
        try await world.database.tenant(setup.tenant).transaction { connection in
            for try await row in try await connection.query("SELECT status, confirmation FROM rdvs WHERE id = \(rdvID)").decode((String, String?).self) {
                return row
            }
            throw BookingError.rdvNotFound
        }
    }

    static func links(_ setup: OnlineSetup) -> NoticeLinks {
        NoticeLinks(secret: TestWorld.secretKey, publicURL: "https://\(setup.host)", scope: setup.tenant.schemaName)
    }

    /// Books next Monday's `time` as the person would online, with the messages it sends.
    static func book(
        _ world: TestWorld, _ setup: OnlineSetup, at time: String, name: String = "Martin", email: String? = "lea.martin@exemple.fr",
        phone: String? = "06 12 34 56 78", now: Date = Date()
    ) async throws -> UUID {
        let links = links(setup)
        return try await world.database.tenant(setup.tenant).transaction { connection in
            let rdvID = try await OnlineBooking(connection, tenant: setup.tenant).book(
                motifID: setup.motifID, lieuID: setup.lieuID, start: setup.clock.instant(setup.monday, LocalTime(time)!),
                details: BookingDetails(firstName: "Léa", lastName: name, phone: phone, email: email), address: nil, accountID: nil, now: now
            )
            try await AppointmentNotices(connection, tenant: setup.tenant, links: links).record(.booked, rdvID: rdvID, byUsager: true, now: now)
            return rdvID
        }
    }

    /// The path of the link to `/oui/` or `/non/` in a message body.
    static func answerPath(_ answer: String, in body: String) throws -> String {
        let link = try #require(body.path(of: "https://"))
        let path = try #require(body.components(separatedBy: .whitespacesAndNewlines).first { $0.contains("/\(answer)/") })
        #expect(link.hasPrefix("https://"))
        return String(path[path.range(of: "/\(answer)/")!.lowerBound...])
    }

    /// Someone joins the waiting list for the setup's motif, as on its site.
    static func joinWaitingList(_ app: LiveApp, _ setup: OnlineSetup, host: String? = nil, email: String) async throws {
        let waiting = Browser(app: app, host: host ?? setup.host)
        try await waiting.get("/prendre-rdv?motif=\(setup.motifID)")
        #expect(try await waiting.post("/liste-attente", [
            "motif": setup.motifID.uuidString, "prenom": "Ana", "nom": "Attente", "email": email, "telephone": "",
        ]).text.contains("Vous êtes sur la liste d’attente"))
    }

    static func pass(_ world: TestWorld, _ setup: OnlineSetup, at now: Date) async -> Confirmations.PassCounts {
        let links = links(setup)
        let service = ConfirmationService(database: world.database, links: { _ in links }, logger: Logger(label: "test"))
        return await service.passDue(now: now)[setup.tenant.slug] ?? .init()
    }

    @Test func theRequestLeavesItsLeadTimeBeforeAndAYesConfirmsInOneClick() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.confirmation = ConfirmationRule() }
            let rdvID = try await Self.book(world, setup, at: "09:00")
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            let requests = try await Self.messages(world, setup, rdvID: rdvID).filter { $0.kind == "confirmation_request" }
            #expect(Set(requests.map(\.channel)) == ["email", "sms"], "by email and by SMS")
            #expect(requests.allSatisfy { $0.notBefore == start.addingTimeInterval(-72 * 3600) && $0.state == "queued" }, "held until 72 h before")
            #expect(try await Self.rdvState(world, setup, rdvID).confirmation == "awaiting")
            let email = try #require(requests.first { $0.channel == "email" })
            #expect(email.subject.hasPrefix("Confirmez votre rendez-vous"))
            let sms = try #require(requests.first { $0.channel == "sms" })
            #expect(sms.body.contains("/oui/") && sms.body.contains("/non/"), "both links in the SMS")

            let yes = try Self.answerPath("oui", in: email.body)
            try await world.withLiveApp { app in
                let person = Browser(app: app, host: setup.host)
                let page = try await person.get(yes)
                #expect(page.status == .ok && page.text.contains("Je confirme ma venue"))
                #expect(!page.text.contains("Martin"), "the page names nobody: a forwarded link shows only the time")
                #expect(try await Self.rdvState(world, setup, rdvID).confirmation == "awaiting", "opening the link (a mail scanner) confirms nothing")
                #expect(try await person.post(yes, [:]).text.contains("votre venue est confirmée"))
                #expect(try await person.get(yes).text.contains("déjà confirmé"))
            }
            #expect(try await Self.rdvState(world, setup, rdvID) == ("unknown", "confirmed"))
            let left = try await Self.messages(world, setup, rdvID: rdvID).filter { $0.kind == "confirmation_request" }
            #expect(left.allSatisfy { $0.state == "cancelled" }, "the request not sent yet has nothing left to ask")
            #expect(try await Self.messages(world, setup, rdvID: rdvID).contains { $0.kind == "reminder" && $0.state == "queued" }, "reminders stay")
            // The deadline passes: a confirmed appointment is left alone.
            #expect(await Self.pass(world, setup, at: start.addingTimeInterval(-23 * 3600)) == .init())
        }
    }

    @Test func aNoFreesTheSlotAtOnceForThePersonWaiting() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) {
                $0.confirmation = ConfirmationRule()
                $0.maximumDelayMinutes = 30 * 1440
                // The online deadline has passed for an ordinary cancellation; the request's "no" still works.
                $0.cancellationDeadlineMinutes = 30 * 1440
            }
            let rdvID = try await Self.book(world, setup, at: "09:00")
            _ = try await Self.book(world, setup, at: "09:30", name: "Autre", email: "autre@exemple.fr", phone: nil)
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
            }
            let email = try #require(try await Self.messages(world, setup, rdvID: rdvID).first { $0.kind == "confirmation_request" && $0.channel == "email" })
            let no = try Self.answerPath("non", in: email.body), yes = try Self.answerPath("oui", in: email.body)
            try await world.withLiveApp { app in
                try await Self.joinWaitingList(app, setup, email: "ana@exemple.fr")

                let person = Browser(app: app, host: setup.host)
                #expect(try await person.get(no).text.contains("Je ne pourrai pas venir"))
                #expect(try await Self.rdvState(world, setup, rdvID).status == "unknown", "opening the link cancels nothing")
                #expect(try await person.post(no, [:]).text.contains("Votre rendez-vous est annulé"))
                let late = try await person.post(yes, [:])
                #expect(late.status == .conflict && late.text.contains("annulé"), "a yes after the no changes nothing")
            }
            #expect(try await Self.rdvState(world, setup, rdvID) == ("excused", "declined"))
            let offers = try await world.outbox(of: setup.tenant).filter { $0.recipient == "ana@exemple.fr" && $0.subject.hasPrefix("Un créneau") }
            #expect(offers.count == 1, "the person waiting is offered the freed slot")
            let pending = try await Self.messages(world, setup, rdvID: rdvID).filter { ["reminder", "confirmation_request"].contains($0.kind) }
            #expect(pending.allSatisfy { $0.state == "cancelled" })
        }
    }

    @Test func withoutAnAnswerTheMotifFlagsOrRemindsOnce() async throws {
        try await TestWorld.run { world in
            for action in [UnconfirmedAction.flag, .remind] {
                let setup = try await OnlineSetup.make(world, name: action == .flag ? "Aisne" : "Somme", weeksAhead: 1) { $0.confirmation = ConfirmationRule(unconfirmedAction: action) }
                let rdvID = try await Self.book(world, setup, at: "09:00")
                let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
                #expect(await Self.pass(world, setup, at: start.addingTimeInterval(-25 * 3600)) == .init(), "\(action): before the deadline, nothing")
                let counts = await Self.pass(world, setup, at: start.addingTimeInterval(-23 * 3600))
                #expect(action == .flag ? counts.flagged == 1 : counts.reminded == 1)
                #expect(try await Self.rdvState(world, setup, rdvID) == ("unknown", "unanswered"))
                let last = try await Self.messages(world, setup, rdvID: rdvID).filter { $0.subject.hasPrefix("Dernier rappel") }
                #expect(last.count == (action == .remind ? 1 : 0), "\(action)")
                #expect(await Self.pass(world, setup, at: start.addingTimeInterval(-22 * 3600)) == .init(), "once only")
            }
        }
    }

    @Test func aReleaseWarnsFirstAndNeedsTheDepartementsConsent() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) {
                $0.confirmation = ConfirmationRule(unconfirmedAction: .release)
                $0.maximumDelayMinutes = 30 * 1440
            }
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            // The Sunday at 10:00, in the daytime: the warning leaves at once.
            let deadlinePassed = start.addingTimeInterval(-23 * 3600)

            // Not allowed by the département: one last request instead.
            let refused = try await Self.book(world, setup, at: "09:00")
            #expect(await Self.pass(world, setup, at: deadlinePassed).reminded == 1)
            #expect(try await Self.rdvState(world, setup, refused) == ("unknown", "unanswered"))

            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE notification_settings SET confirmation_release_allowed = true")
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
            }
            let rdvID = try await Self.book(world, setup, at: "09:30", name: "Durand", email: "durand@exemple.fr")
            let halfPast = start.addingTimeInterval(1800)
            let warnedAt = halfPast.addingTimeInterval(-23 * 3600)
            try await world.withLiveApp { app in
                try await Self.joinWaitingList(app, setup, email: "ana@exemple.fr")
            }
            #expect(await Self.pass(world, setup, at: warnedAt).warned == 1)
            #expect(try await Self.rdvState(world, setup, rdvID) == ("unknown", "warned"))
            let warning = try await Self.messages(world, setup, rdvID: rdvID).filter { $0.subject.hasPrefix("Sans réponse") || $0.body.contains("sera libéré") }
            #expect(Set(warning.map(\.channel)) == ["email", "sms"], "never released without a message")
            #expect(await Self.pass(world, setup, at: warnedAt.addingTimeInterval(3600)) == .init(), "two hours to answer")

            let released = await Self.pass(world, setup, at: warnedAt.addingTimeInterval(Confirmations.warningNotice + 60))
            #expect(released.released == 1)
            #expect(try await Self.rdvState(world, setup, rdvID) == ("revoked", "released"))
            let told = try await world.outbox(of: setup.tenant).filter { $0.recipient == "durand@exemple.fr" && $0.subject.contains("libéré faute de confirmation") }
            #expect(told.count == 1, "the person is told why")
            let offers = try await world.outbox(of: setup.tenant).filter { $0.recipient == "ana@exemple.fr" && $0.subject.hasPrefix("Un créneau") }
            #expect(offers.count == 1, "the released slot goes to the person waiting")
        }
    }

    @Test func aYesAfterTheWarningKeepsTheAppointment() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.confirmation = ConfirmationRule(unconfirmedAction: .release) }
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE notification_settings SET confirmation_release_allowed = true")
            }
            let rdvID = try await Self.book(world, setup, at: "09:00")
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            let warnedAt = start.addingTimeInterval(-23 * 3600)
            #expect(await Self.pass(world, setup, at: warnedAt).warned == 1)
            let warning = try #require(try await Self.messages(world, setup, rdvID: rdvID).first { $0.subject.hasPrefix("Sans réponse") && $0.channel == "email" })
            try await world.withLiveApp { app in
                let person = Browser(app: app, host: setup.host)
                let yes = try Self.answerPath("oui", in: warning.body)
                try await person.get(yes)
                #expect(try await person.post(yes, [:]).text.contains("votre venue est confirmée"))
            }
            #expect(await Self.pass(world, setup, at: warnedAt.addingTimeInterval(3 * 3600)) == .init())
            #expect(try await Self.rdvState(world, setup, rdvID) == ("unknown", "confirmed"))
        }
    }

    @Test func aSensitiveMotifOrAPersonWithoutContactIsNeverReleased() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) {
                $0.confirmation = ConfirmationRule(unconfirmedAction: .release)
                $0.sensitive = true
            }
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE notification_settings SET confirmation_release_allowed = true")
            }
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            let rdvID = try await Self.book(world, setup, at: "09:00")
            let email = try #require(try await Self.messages(world, setup, rdvID: rdvID).first { $0.kind == "confirmation_request" && $0.channel == "email" })
            #expect(!email.body.contains("Consultation") && !email.body.contains("Arras"), "a sensitive motif's request says only the time")
            #expect(await Self.pass(world, setup, at: start.addingTimeInterval(-23 * 3600)).reminded == 1, "sensitive: a last request, no release")

            // Nobody to ask: no request, no state, nothing released.
            let unreachable = try await Self.book(world, setup, at: "09:30", name: "Sans", email: nil, phone: "03 21 00 00 00")
            #expect(try await Self.rdvState(world, setup, unreachable).confirmation == nil)
            #expect(try await Self.messages(world, setup, rdvID: unreachable).allSatisfy { $0.kind != "confirmation_request" })
        }
    }

    @Test func bookedAfterTheDeadlineNothingIsAskedAndMovingAsksAgain() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.confirmation = ConfirmationRule(requestHours: 72, deadlineHours: 24) }
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            let late = try await Self.book(world, setup, at: "09:00", now: start.addingTimeInterval(-20 * 3600))
            #expect(try await Self.rdvState(world, setup, late).confirmation == nil, "the person just chose this time")
            #expect(try await Self.messages(world, setup, rdvID: late).allSatisfy { $0.kind != "confirmation_request" })

            let soon = try await Self.book(world, setup, at: "09:30", name: "Durand", email: "durand@exemple.fr", now: start.addingTimeInterval(-40 * 3600))
            let asked = try await Self.messages(world, setup, rdvID: soon).filter { $0.kind == "confirmation_request" && $0.channel == "email" }
            #expect(asked.count == 1 && asked[0].notBefore == start.addingTimeInterval(-40 * 3600), "within the lead time: asked at booking")
            // The agent moves it a week later: the old request is dropped, a new one planned for the new time.
            let links = Self.links(setup)
            let moved = start.addingTimeInterval(7 * 86_400 + 1800)
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE rdvs SET confirmation = 'confirmed' WHERE id = \(soon)")
                try await RdvRepository(connection).move(soon, to: moved, byAgent: setup.agent.id)
                try await AppointmentNotices(connection, tenant: setup.tenant, links: links)
                    .record(.moved, rdvID: soon, byUsager: false, actingAgentID: setup.agent.id, now: start.addingTimeInterval(-40 * 3600))
            }
            let requests = try await Self.messages(world, setup, rdvID: soon).filter { $0.kind == "confirmation_request" && $0.channel == "email" }
            #expect(requests.map(\.state) == ["cancelled", "queued"])
            #expect(requests.last?.notBefore == moved.addingTimeInterval(-72 * 3600))
            #expect(try await Self.rdvState(world, setup, soon).confirmation == "awaiting")
        }
    }
}

extension ConfirmationTests {
    /// The agents' side: the motif asks for it, the département allows releases, the agenda and
    /// the appointment's page say who has not answered, the no-show report splits by answer.
    @Test func agentsSetItUpAndSeeWhoHasNotAnswered() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let chief = try await world.makeAgent(in: setup.tenant, role: .deptAdmin, organisation: nil)
            let totp = try await world.enrolSecondFactor(chief, in: setup.tenant)
            let serviceID = try await world.database.tenant(setup.tenant).transaction { try #require(try await AgendaCatalog($0).services().first?.id) }
            let fields = [
                "name": "Consultation", "service": serviceID.uuidString, "color": "#000091", "duration": "30",
                "location_type": "on_site", "video_link_template": "", "bookable_by": "everyone", "minimum_hours": "0",
                "maximum_days": "90", "cancellable": "on", "cancellation_hours": "4", "movable": "on", "move_hours": "48",
                "sectorisation_level": "departement", "instructions_before": "", "instructions_after": "",
                "confirmation": "on", "confirmation_request_hours": "12", "confirmation_deadline_hours": "24", "unconfirmed_action": "remind",
            ]
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(chief.email, totp: totp)
                let form = try await browser.get("/organisation/motifs/\(setup.motifID)")
                #expect(form.text.contains("Demander à l’usager de confirmer sa venue") && form.text.contains("value=\"72\""), "the default lead time shows")
                let invalid = try await browser.post("/organisation/motifs/\(setup.motifID)", fields)
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("doit partir avant l’heure limite de réponse"))
                let valid = fields.merging(["confirmation_request_hours": "48"]) { $1 }
                #expect(try await browser.post("/organisation/motifs/\(setup.motifID)", valid).text.contains("Motif enregistré."))
                let reopened = try await browser.get("/organisation/motifs/\(setup.motifID)")
                #expect(reopened.text.contains("value=\"48\"") && reopened.text.contains("<option value=\"remind\" selected>"))

                #expect(try await browser.post("/notifications/reglages", [
                    "sms_provider": "sandbox", "sms_daily_cap": "8", "email_daily_cap": "20", "rappel_1_heures": "48", "rappel_1_email": "on",
                    "confirmation_release_allowed": "on",
                ]).text.contains("Réglages enregistrés"))
            }
            let (rules, settings) = try await world.database.tenant(setup.tenant).transaction { connection in
                (try await MotifRepository(connection).find(setup.motifID)?.rules, try await NotificationSettings.load(connection))
            }
            #expect(rules?.confirmation == ConfirmationRule(requestHours: 48, deadlineHours: 24, unconfirmedAction: .remind))
            #expect(settings.confirmationReleaseAllowed)

            let confirmed = try await Self.book(world, setup, at: "09:00")
            let silent = try await Self.book(world, setup, at: "09:30", name: "Durand", email: "durand@exemple.fr")
            let start = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            try await world.database.tenant(setup.tenant).transaction { connection in
                _ = try await Confirmations(connection, tenant: setup.tenant, links: Self.links(setup)).answer(.confirm, rdvID: confirmed)
            }
            #expect(await Self.pass(world, setup, at: start.addingTimeInterval(-23 * 3600)).reminded == 1)
            try await world.withLiveApp { app in
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                let week = try await agent.get("/agenda?semaine=\(setup.monday)")
                #expect(week.text.contains("badge-warning\">Non confirmé") && week.text.contains(">Confirmé<"))
                let page = try await agent.get("/rdv/\(silent)")
                #expect(page.text.contains("Confirmation par l’usager :</strong> Non confirmé") && page.text.contains("Confirmation : Non confirmé"))
            }
            // Once they have taken place: the one who confirmed came, the silent one did not.
            let report = try await world.database.tenant(setup.tenant).transaction { connection in
                try await RdvRepository(connection).setStatus(confirmed, to: .seen)
                try await RdvRepository(connection).setStatus(silent, to: .noshow)
                return try await NoShowReport(connection).lines(now: start.addingTimeInterval(2 * 3600))
            }
            let line = try #require(report.first)
            #expect(line.confirmed == 1 && line.confirmedNoShows == 0 && line.unanswered == 1 && line.unansweredNoShows == 1)

            // The steering committee's figures split the same way.
            _ = try await StatisticsRefresher(database: world.database, overlap: 0, logger: world.database.logger).refresh(setup.tenant, full: true)
            let month = String(setup.monday.description.prefix(7))
            let figures = try await world.database.shared.transaction { try await StatisticsRepository($0).monthly(from: month, through: month) }
            let mine = try #require(figures.values.first { $0[month]?[.confirmed] == 1 }?[month])
            #expect(mine[.unanswered] == 1 && mine[.noshowUnanswered] == 1 && mine[.noshowConfirmed] == 0 && mine[.released] == 0)
        }
    }
}
