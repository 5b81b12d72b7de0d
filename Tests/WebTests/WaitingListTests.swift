import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A freed slot goes to the waiting list; the first to take it gets it, the others find it gone.
@Suite struct WaitingListTests {
    /// Books every slot of the setup's Monday for people other than the test's.
    func fill(_ setup: OnlineSetup, _ world: TestWorld) async throws -> [UUID] {
        try await world.database.tenant(setup.tenant).transaction { connection in
            var ids: [UUID] = []
            for (index, time) in ["09:00", "09:30"].enumerated() {
                ids.append(try await OnlineBooking(connection, tenant: setup.tenant).book(
                    motifID: setup.motifID, lieuID: setup.lieuID, start: setup.clock.instant(setup.monday, LocalTime(time)!),
                    details: BookingDetails(firstName: "Déjà", lastName: "Pris\(index)", phone: nil, email: "pris\(index)@exemple.fr"), address: nil, accountID: nil
                ))
            }
            return ids
        }
    }

    func offerLinks(_ world: TestWorld, _ setup: OnlineSetup, to email: String) async throws -> [String] {
        try await world.outbox(of: setup.tenant).filter { $0.recipient == email && $0.subject.hasPrefix("Un créneau") }
            .compactMap { $0.body.path(of: "http") }.map { String($0[$0.range(of: "/liste-attente/")!.lowerBound...]) }
    }

    @Test func theFirstToTakeAFreedSlotGetsItAndTheOthersFindItGone() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.maximumDelayMinutes = 30 * 1440 }
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            let taken = try await fill(setup, world)
            // Nothing else before the week after: the lieu step offers the waiting list.
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
            }
            try await world.withLiveApp { app in
                var people: [Browser] = []
                for (index, email) in ["ana@exemple.fr", "ben@exemple.fr"].enumerated() {
                    let browser = Browser(app: app, host: setup.host)
                    let page = try await browser.get("/prendre-rdv?motif=\(setup.motifID)")
                    #expect(page.text.contains("liste d’attente"), "no slot: the list is offered")
                    let joined = try await browser.post("/liste-attente", [
                        "motif": setup.motifID.uuidString, "prenom": ["Ana", "Ben"][index], "nom": "Attente", "email": email, "telephone": "",
                    ])
                    #expect(joined.text.contains("Vous êtes sur la liste d’attente"))
                    people.append(browser)
                }
                #expect(try await people[0].post("/liste-attente", ["motif": setup.motifID.uuidString, "prenom": "", "email": "x"]).status == .unprocessableContent)

                // The first appointment is cancelled through its link: the two waiting people get an offer.
                let manage = try await world.database.tenant(setup.tenant).transaction { connection in
                    try #require(try await PublicRdvRepository(connection).find(taken[0]))
                }
                let link = ManageLinkPath.of(manage, setup)
                let usager = Browser(app: app, host: setup.host)
                try await usager.get(link)
                #expect(try await usager.post(link, ["nom": "Pri", "action": "annuler"]).text.contains("Votre rendez-vous est annulé"))
                let ana = try #require(try await offerLinks(world, setup, to: "ana@exemple.fr").first)
                let ben = try #require(try await offerLinks(world, setup, to: "ben@exemple.fr").first)

                // Another département's site knows nothing of these links.
                #expect(try await Browser(app: app, host: theirs.host).get(ana).status == .notFound)
                #expect(try await people[1].get(ben).text.contains("Je prends ce créneau"))
                #expect(try await people[1].post(ben, [:]).text.contains("Le créneau est à vous"))
                try await people[0].get(ana)
                let late = try await people[0].post(ana, [:])
                #expect(late.status == .conflict && late.text.contains("déjà été pris"))
            }
            let (createdBy, active) = try await world.database.tenant(setup.tenant).transaction { connection in
                (
                    try #require(try await connection.query("SELECT created_by FROM rdvs WHERE status = 'unknown' ORDER BY created_at DESC LIMIT 1").decode(String.self).first(where: { _ in true })),
                    try #require(try await connection.query("SELECT count(*)::int FROM waiting_list WHERE active").decode(Int.self).first(where: { _ in true }))
                )
            }
            #expect(createdBy == "waiting_list" && active == 1, "Ben got it; Ana stays on the list")
        }
    }
}

extension WaitingListTests {
    @Test func aNewOpeningGoesFirstToThePeopleWaiting() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.maximumDelayMinutes = 40 * 1440 }
            _ = try await fill(setup, world)
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
            }
            try await world.withLiveApp { app in
                let person = Browser(app: app, host: setup.host)
                try await person.get("/prendre-rdv?motif=\(setup.motifID)")
                #expect(try await person.post("/liste-attente", [
                    "motif": setup.motifID.uuidString, "lieu": setup.lieuID.uuidString, "prenom": "Chloé", "nom": "Attente", "email": "chloe@exemple.fr",
                ]).text.contains("Vous êtes sur la liste d’attente"))
                #expect(try await offerLinks(world, setup, to: "chloe@exemple.fr").isEmpty)
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                try await agent.get("/agenda/plages/nouvelle")
                let day = setup.monday.adding(days: 8)
                #expect(try await agent.post("/agenda/plages", [
                    "lieu": setup.lieuID.uuidString, "motif_\(setup.motifID)": "on", "first_day": day.description,
                    "start": "14:00", "end": "15:00", "repeat": "once",
                ]).status == .seeOther)
                let offer = try #require(try await offerLinks(world, setup, to: "chloe@exemple.fr").first)
                #expect(try await person.get(offer).text.contains("14\u{00A0}h"))
            }
        }
    }

    @Test func anAbsenceRemovedGivesItsTimeToThePeopleWaiting() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1) { $0.maximumDelayMinutes = 40 * 1440 }
            let absenceID = try await world.database.tenant(setup.tenant).transaction { connection in
                try await connection.query("UPDATE plages_ouverture SET recurrence = '{\"kind\": \"once\"}'")
                return try await AbsenceRepository(connection).create(
                    agentID: setup.agent.id, title: "Formation",
                    span: RecurringSpan(firstDay: setup.monday, start: LocalTime("08:00")!, end: LocalTime("12:00")!, recurrence: .once)
                )
            }
            try await world.withLiveApp { app in
                let person = Browser(app: app, host: setup.host)
                try await person.get("/prendre-rdv?motif=\(setup.motifID)")
                #expect(try await person.post("/liste-attente", [
                    "motif": setup.motifID.uuidString, "lieu": setup.lieuID.uuidString, "prenom": "Chloé", "nom": "Attente", "email": "chloe@exemple.fr",
                ]).text.contains("Vous êtes sur la liste d’attente"))
                #expect(try await offerLinks(world, setup, to: "chloe@exemple.fr").isEmpty)
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                try await agent.get("/agenda/absences/\(absenceID)")
                #expect(try await agent.post("/agenda/absences/\(absenceID)/supprimer", [:]).status == .seeOther)
                let offer = try #require(try await offerLinks(world, setup, to: "chloe@exemple.fr").first)
                #expect(try await person.get(offer).text.contains("9\u{00A0}h"))
            }
        }
    }
}

/// The manage link of an appointment, as its messages carry it, without scheme and host.
enum ManageLinkPath {
    static func of(_ rdv: PublicRdv, _ setup: OnlineSetup) -> String {
        let token = SignedLink(secret: TestWorld.secretKey, scope: setup.tenant.schemaName)
            .token(for: .init(rdvID: rdv.id, expiresAt: rdv.end.addingTimeInterval(86_400)))
        return "/gerer/\(token)"
    }
}
