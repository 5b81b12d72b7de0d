import Agenda
import Foundation
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An agent sets up a week with an exception, sees slots, books for a usager, marks the outcome.
@Suite struct AgendaPagesTests {
    struct Setup: Sendable {
        let tenant: Tenant
        let agent: Agent
        let lieuID: UUID
        let motifID: UUID
    }

    func setUp(_ world: TestWorld, name: String = "Pas-de-Calais") async throws -> Setup {
        let tenant = try await world.makeTenant(name: name)
        let organisation = try await world.makeOrganisation(in: tenant)
        let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
        let (lieu, motif) = try await world.database.tenant(tenant).transaction { connection in
            let catalog = AgendaCatalog(connection)
            let service = try await catalog.ensureService(named: "PMI")
            try await catalog.addAgent(agent.id, toService: service)
            return (
                try await catalog.ensureLieu(organisationID: organisation.id, name: "Centre d’Arras", address: "1 rue de la Paix"),
                try await catalog.ensureMotif(organisationID: organisation.id, serviceID: service, name: "Consultation", durationMinutes: 30, onlineBooking: false)
            )
        }
        return Setup(tenant: tenant, agent: agent, lieuID: lieu, motifID: motif)
    }

    @Test func aWeekOfOpeningsWithAnExceptionThenABookingAndItsOutcome() async throws {
        try await TestWorld.run { world in
            let setup = try await setUp(world)
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let today = clock.localDate(of: Date())
            let nextMonday = today.adding(days: 8 - today.weekday.rawValue)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                #expect(try await browser.get("/agenda/plages/nouvelle").text.contains("Centre d’Arras"))
                let invalid = try await browser.post("/agenda/plages", [
                    "lieu": setup.lieuID.uuidString, "first_day": nextMonday.description, "start": "12:00", "end": "09:00", "repeat": "weekly",
                ])
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("Choisissez au moins un motif") && invalid.text.contains("L’heure de fin doit suivre"))
                try await browser.get("/agenda/plages/nouvelle")
                let created = try await browser.post("/agenda/plages", [
                    "lieu": setup.lieuID.uuidString, "motif_\(setup.motifID)": "on", "first_day": nextMonday.description,
                    "start": "09:00", "end": "10:00", "repeat": "weekly", "weekday_1": "on", "weekday_3": "on", "interval": "1",
                ])
                #expect(created.status == .seeOther)
                let week = try await browser.get(try #require(created.headers[.location]))
                #expect(week.text.components(separatedBy: "9 h – 10 h").count - 1 == 2, "Monday and Wednesday")
                // Cancel Wednesday only.
                let wednesday = nextMonday.adding(days: 2)
                let plageAction = try #require(week.text.components(separatedBy: "action=\"").dropFirst().map { $0.prefix(while: { $0 != "\"" }) }
                    .first { $0.contains("/occurrences/\(wednesday)/annuler") })
                #expect(try await browser.post(String(plageAction), [:]).status == .seeOther)
                #expect(try await browser.get("/agenda?semaine=\(nextMonday)").text.components(separatedBy: "9 h – 10 h").count - 1 == 1)

                let slots = try await browser.get("/creneaux?motif=\(setup.motifID)")
                #expect(slots.text.contains("9 h 30"))
                let link = try #require(slots.text.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
                    .first { $0.hasPrefix("/rdv/nouveau") })
                let form = try await browser.get(link.replacingOccurrences(of: "&amp;", with: "&"))
                #expect(form.status == .ok)
                let fields = Dictionary(uniqueKeysWithValues: ["motif", "agent", "lieu", "debut"].map { name in
                    (name, form.text.components(separatedBy: "name=\"\(name)\" value=\"").dropFirst().first.map { String($0.prefix(while: { $0 != "\"" })) } ?? "")
                })
                let booked = try await browser.post("/rdv", fields.merging(["first_name": "Jade", "last_name": "Martin", "phone": "0601020304"]) { $1 })
                #expect(booked.status == .seeOther)
                let rdvPath = try #require(booked.headers[.location])
                let page = try await browser.get(rdvPath)
                #expect(page.text.contains("Jade Martin") && page.text.contains("Consultation"))

                // The same slot again: a clear answer, not an error page.
                try await browser.get(link.replacingOccurrences(of: "&amp;", with: "&"))
                let again = try await browser.post("/rdv", fields.merging(["first_name": "Léo", "last_name": "Petit"]) { $1 })
                #expect(again.status == .conflict)
                #expect(again.text.contains("Ce créneau vient d’être pris"))
                // In the error summary, with the way out the page adds to it, and the title says so.
                #expect(again.text.contains("<h2 id=\"erreurs-titre\">Votre demande n’a pas abouti :</h2>") && again.text.contains("Voir les autres créneaux</a>"))
                #expect(again.text.contains("<title>Erreur – "))

                try await browser.get(rdvPath)
                #expect(try await browser.post("\(rdvPath)/statut", ["status": "noshow"]).status == .seeOther)
                let after = try await browser.get(rdvPath)
                #expect(after.text.contains("Absent non excusé") && after.text.contains("Statut : Absent non excusé"))
            }
        }
    }

    @Test func appointmentsAndPlagesOfAnotherDepartementOrAgendaAreNotFound() async throws {
        try await TestWorld.run { world in
            let mine = try await setUp(world)
            let theirs = try await setUp(world, name: "Drôme")
            let organisation = try await world.makeOrganisation(in: mine.tenant)
            let stranger = try await world.makeAgent(in: mine.tenant, role: .agent, organisation: organisation)
            let start = Date().addingTimeInterval(3 * 86_400)
            let theirRdv = try await world.database.tenant(theirs.tenant).transaction { connection in
                let usager = try await UsagerRepository(connection).create(firstName: "A", lastName: "B", phone: nil, email: nil)
                return try await RdvRepository(connection).book(NewRdv(
                    motifID: theirs.motifID, lieuID: theirs.lieuID, start: start, end: start.addingTimeInterval(1800),
                    agentIDs: [theirs.agent.id], usagerIDs: [usager]
                ))
            }
            let myRdv = try await world.database.tenant(mine.tenant).transaction { connection in
                let usager = try await UsagerRepository(connection).create(firstName: "C", lastName: "D", phone: nil, email: nil)
                return try await RdvRepository(connection).book(NewRdv(
                    motifID: mine.motifID, lieuID: mine.lieuID, start: start, end: start.addingTimeInterval(1800),
                    agentIDs: [mine.agent.id], usagerIDs: [usager]
                ))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(mine.tenant.slug).rdv.test")
                try await browser.signIn(mine.agent.email)
                #expect(try await browser.get("/rdv/\(theirRdv)").status == .notFound)
                #expect(try await browser.get("/rdv/\(myRdv)").status == .ok)
                try await browser.get("/agenda")
                #expect(try await browser.post("/rdv/\(theirRdv)/statut", ["status": "revoked"]).status == .notFound)
                #expect(try await browser.post("/agenda/plages/\(UUID())/occurrences/2027-01-04/annuler", [:]).status == .notFound)

                // An agent of another organisation and service does not see my appointment.
                let other = Browser(app: app, host: "\(mine.tenant.slug).rdv.test")
                try await other.signIn(stranger.email)
                #expect(try await other.get("/rdv/\(myRdv)").status == .notFound)
            }
        }
    }
}

@Suite struct AgendaRenderingTests {
    @Test func onlyHolidaysAreMarkedAsSuch() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil, email: "dept@\(tenant.slug).demo")
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(agent.email)
                // The week of 14 July 2027: one holiday, six ordinary days.
                let week = try await browser.get("/agenda?semaine=2027-07-14")
                #expect(week.text.components(separatedBy: "Jour férié").count - 1 == 1)
                #expect(week.text.contains("Jour férié : Fête nationale"))
                let home = try await browser.get("/agent")
                #expect(!home.text.contains(" · </p>"), "no dangling organisation for a département administrator")
            }
        }
    }
}

@Suite struct AbsenceAndOutcomeTests {
    @Test func anAbsenceBlocksSlotsAndPastAppointmentsAwaitTheirOutcome() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let clock = try #require(WallClock(timeZone: tenant.timeZone))
            let today = clock.localDate(of: Date())
            let nextMonday = today.adding(days: 8 - today.weekday.rawValue)
            let (lieu, motif) = try await world.database.tenant(tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                let service = try await catalog.ensureService(named: "PMI")
                return (
                    try await catalog.ensureLieu(organisationID: organisation.id, name: "Centre", address: "1 rue"),
                    try await catalog.ensureMotif(organisationID: organisation.id, serviceID: service, name: "Consultation", durationMinutes: 60, onlineBooking: false)
                )
            }
            let past = Date().addingTimeInterval(-2 * 86_400)
            let pastRdv = try await world.database.tenant(tenant).transaction { connection in
                try await PlageRepository(connection).create(
                    agentID: agent.id, lieuID: lieu,
                    span: RecurringSpan(firstDay: nextMonday, start: LocalTime("09:00")!, end: LocalTime("11:00")!, recurrence: .weekly(interval: 1, on: [.monday, .tuesday], until: nil)),
                    motifIDs: [motif]
                )
                let usager = try await UsagerRepository(connection).create(firstName: "Hier", lastName: "Passé", phone: nil, email: nil)
                return try await RdvRepository(connection).book(NewRdv(
                    motifID: motif, lieuID: lieu, start: past, end: past.addingTimeInterval(3600), agentIDs: [agent.id], usagerIDs: [usager]
                ))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(agent.email)
                try await browser.get("/agenda/absences/nouvelle")
                #expect(try await browser.post("/agenda/absences", ["first_day": "demain", "start": "09:00", "end": "10:00"]).status == .unprocessableContent)
                let saved = try await browser.post("/agenda/absences", [
                    "title": "Formation", "first_day": nextMonday.description, "start": "08:00", "end": "12:00", "repeat": "once",
                ])
                #expect(saved.status == .seeOther)
                #expect(try await browser.get("/agenda?semaine=\(nextMonday)").text.contains("Absence 8 h – 12 h"))
                let slots = try await browser.get("/creneaux?motif=\(motif)")
                let tuesday = nextMonday.adding(days: 1)
                #expect(!slots.text.contains("lundi \(nextMonday.day)/\(nextMonday.month)/"), "Monday is blocked by the absence")
                #expect(slots.text.contains("mardi \(tuesday.day)/\(tuesday.month)/"))

                let pending = try await browser.get("/agenda/a-renseigner")
                #expect(pending.text.contains("Hier Passé"))
                #expect(try await browser.post("/rdv/\(pastRdv)/statut", ["status": "seen"]).status == .seeOther)
                #expect(try await browser.get("/agenda/a-renseigner").text.contains("Tout est renseigné"))
            }
        }
    }
}

@Suite struct AgendaEditingTests {
    @Test func oneOccurrenceChangesAloneAndWarningsDoNotBlock() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let secretariat = try await world.makeAgent(in: tenant, role: .secretariat, organisation: organisation)
            let outsider = try await world.makeAgent(in: tenant, role: .secretariat, organisation: try await world.makeOrganisation(in: tenant))
            let clock = try #require(WallClock(timeZone: tenant.timeZone))
            let today = clock.localDate(of: Date())
            let monday = today.adding(days: 8 - today.weekday.rawValue)
            let (lieu, motif) = try await world.database.tenant(tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                let service = try await catalog.ensureService(named: "PMI")
                return (
                    try await catalog.ensureLieu(organisationID: organisation.id, name: "Centre", address: "1 rue"),
                    try await catalog.ensureMotif(organisationID: organisation.id, serviceID: service, name: "Bilan", durationMinutes: 90, onlineBooking: false)
                )
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(agent.email)
                try await browser.get("/agenda/plages/nouvelle")
                let plage: [String: String] = [
                    "lieu": lieu.uuidString, "motif_\(motif)": "on", "first_day": monday.description,
                    "start": "09:00", "end": "10:00", "repeat": "weekly", "weekday_1": "on", "interval": "1",
                ]
                let first = try await browser.post("/agenda/plages", plage)
                #expect(first.status == .ok && first.text.contains("aucun créneau n’y tiendra"), "a 90-minute motif in a one-hour plage")
                try await browser.get("/agenda/plages/nouvelle")
                let second = try await browser.post("/agenda/plages", plage.merging(["start": "09:30", "end": "11:30"]) { $1 })
                #expect(second.text.contains("chevauche une autre de vos plages"))

                let week = try await browser.get("/agenda?semaine=\(monday)")
                let link = try #require(week.text.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
                    .first { $0.contains("/occurrences/\(monday)") })
                try await browser.get(link)
                #expect(try await browser.post(link, ["day": monday.description, "start": "09:00", "end": "08:00"]).status == .unprocessableContent)
                #expect(try await browser.post(link, ["day": monday.description, "start": "09:00", "end": "09:45"]).status == .seeOther)
                let after = try await browser.get("/agenda?semaine=\(monday)")
                #expect(after.text.contains("9 h – 9 h 45"))
                #expect(try await browser.get("/agenda?semaine=\(monday.adding(days: 7))").text.contains("9 h – 10 h"), "the next Monday is untouched")

                // The secretariat sees the agent's agenda; a secretariat of another organisation does not.
                let colleague = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await colleague.signIn(secretariat.email)
                let seen = try await colleague.get("/agenda?semaine=\(monday)&agent=\(agent.id)")
                #expect(seen.status == .ok && seen.text.contains("Agenda de Prénom Nom-agent") && seen.text.contains("9 h – 9 h 45"))
                #expect(!seen.text.contains("Annuler ce jour"), "only one's own agenda changes here")
                let stranger = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await stranger.signIn(outsider.email)
                #expect(try await stranger.get("/agenda?agent=\(agent.id)").status == .notFound)
                #expect(try await stranger.get(link).status == .notFound)
            }
        }
    }
}

@Suite struct CollectiveSessionTests {
    @Test func participantsJoinUntilTheSessionIsFull() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let start = Date().addingTimeInterval(5 * 86_400)
            let session = try await world.database.tenant(tenant).transaction { connection in
                let catalog = AgendaCatalog(connection)
                let service = try await catalog.ensureService(named: "PMI")
                let lieu = try await catalog.ensureLieu(organisationID: organisation.id, name: "Salle", address: "1 rue")
                var rules = MotifRules(name: "Atelier", serviceID: service, durationMinutes: 90)
                rules.collectiveCapacity = 2
                let motif = try await MotifRepository(connection).create(organisationID: organisation.id, rules)
                return try await RdvRepository(connection).book(NewRdv(
                    motifID: motif!, lieuID: lieu, start: start, end: start.addingTimeInterval(5400), agentIDs: [agent.id], usagerIDs: [], capacity: 2
                ))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(agent.email)
                #expect(try await browser.get("/rdv/\(session)").text.contains("0 / 2 places"))
                #expect(try await browser.post("/rdv/\(session)/participants", ["first_name": "Ana", "last_name": "Un"]).status == .seeOther)
                try await browser.get("/rdv/\(session)")
                #expect(try await browser.post("/rdv/\(session)/participants", ["first_name": "Bo", "last_name": "Deux"]).status == .seeOther)
                let full = try await browser.get("/rdv/\(session)")
                #expect(full.text.contains("2 / 2 places") && full.text.contains("La séance est complète"))
                let refused = try await browser.post("/rdv/\(session)/participants", ["first_name": "Cy", "last_name": "Trois"])
                #expect(refused.status == .conflict && refused.text.contains("Il n’y a plus de place"))
            }
        }
    }
}

@Suite struct UsagerSearchTests {
    @Test func agentsFindTheirDepartementsUsagersOnly() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            try await world.database.tenant(tenant).transaction { connection in
                _ = try await UsagerRepository(connection).create(firstName: "Lucie", lastName: "Dubois", phone: "0611223344", email: nil)
                _ = try await UsagerRepository(connection).create(firstName: "Marc", lastName: "Du%Pont", phone: nil, email: nil)
            }
            try await world.database.tenant(other).transaction { connection in
                _ = try await UsagerRepository(connection).create(firstName: "Luc", lastName: "Dupuis", phone: nil, email: nil)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(agent.email)
                let found = try await browser.get("/usagers?q=DU")
                #expect(found.text.contains("Lucie Dubois") && found.text.contains("0611223344"))
                #expect(!found.text.contains("Dupuis"), "another département's usager")
                let wildcard = try await browser.get("/usagers?q=du%25")
                #expect(wildcard.text.contains("Du%Pont") && !wildcard.text.contains("Lucie Dubois"), "% is a letter here, not a wildcard")
                #expect(try await Browser(app: app, host: "\(tenant.slug).rdv.test").get("/usagers?q=du").status == .seeOther, "agents only")
            }
        }
    }
}
