import Agenda
import Foundation
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A series changes as a whole, ends on a chosen day, repeats monthly; nobody else's series can be touched.
@Suite struct PlageSeriesTests {
    @Test func aSeriesIsEditedThenEndedAndOnlyItsOwnerMayDoIt() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let today = clock.localDate(of: Date())
            let monday = today.adding(days: 8 - today.weekday.rawValue)
            let span = RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .weekly(interval: 1, on: [.monday], until: nil))
            let plageID = try await world.database.tenant(setup.tenant).transaction { connection in
                try await PlageRepository(connection).create(agentID: setup.agent.id, lieuID: setup.lieuID, span: span, motifIDs: [setup.motifID])
            }
            let theirPlage = try await world.database.tenant(theirs.tenant).transaction { connection in
                try await PlageRepository(connection).create(agentID: theirs.agent.id, lieuID: theirs.lieuID, span: span, motifIDs: [theirs.motifID])
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                let form = try await browser.get("/agenda/plages/\(plageID)")
                #expect(form.text.contains("value=\"09:00\"") && form.text.contains("name=\"weekday_1\" checked"))
                #expect(form.text.contains("name=\"motif_\(setup.motifID)\" checked"))

                // Mondays and Thursdays, 14:00 to 16:00, from now on.
                let edited = try await browser.post("/agenda/plages/\(plageID)", [
                    "lieu": setup.lieuID.uuidString, "motif_\(setup.motifID)": "on", "first_day": monday.description,
                    "start": "14:00", "end": "16:00", "repeat": "weekly", "weekday_1": "on", "weekday_4": "on", "interval": "1",
                ])
                #expect(edited.status == .seeOther)
                let week = try await browser.get("/agenda?semaine=\(monday)")
                #expect(week.text.components(separatedBy: "14 h – 16 h").count - 1 == 2 && !week.text.contains("9 h – 10 h"))

                let badEnd = try await browser.post("/agenda/plages/\(plageID)/fin", ["last_day": "demain"])
                #expect(badEnd.status == .unprocessableContent && badEnd.text.contains("dernier jour de la série"))
                // Ends after the first Monday: Thursday and the following weeks are gone.
                #expect(try await browser.post("/agenda/plages/\(plageID)/fin", ["last_day": monday.description]).status == .seeOther)
                #expect(try await browser.get("/agenda?semaine=\(monday)").text.components(separatedBy: "14 h – 16 h").count - 1 == 1)
                #expect(!(try await browser.get("/agenda?semaine=\(monday.adding(days: 7))").text.contains("14 h – 16 h")))

                // Another département's plage, and a plage of nobody: not found.
                #expect(try await browser.get("/agenda/plages/\(theirPlage)").status == .notFound)
                #expect(try await browser.post("/agenda/plages/\(theirPlage)/fin", ["last_day": monday.description]).status == .notFound)
                #expect(try await browser.post("/agenda/plages/\(theirPlage)", ["lieu": theirs.lieuID.uuidString]).status == .notFound)

                // Ending before the first day removes the plage.
                #expect(try await browser.post("/agenda/plages/\(plageID)/fin", ["last_day": monday.adding(days: -1).description]).status == .seeOther)
                #expect(try await browser.get("/agenda/plages/\(plageID)").status == .notFound)
            }
            let untouched = try await world.database.tenant(theirs.tenant).transaction { try await PlageRepository($0).of(agentID: theirs.agent.id) }
            #expect(untouched.first?.span == span)
        }
    }

    @Test func aMonthlyPlageFallsOnTheChosenWeekdayOfEachMonth() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let firstOfNextMonth = clock.localDate(of: Date()).adding(days: 40)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                try await browser.get("/agenda/plages/nouvelle")
                let invalid = try await browser.post("/agenda/plages", [
                    "lieu": setup.lieuID.uuidString, "motif_\(setup.motifID)": "on", "first_day": firstOfNextMonth.description,
                    "start": "09:00", "end": "12:00", "repeat": "monthly", "ordinal": "5", "month_weekday": "2",
                ])
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("rang et le jour du mois"))
                #expect(invalid.text.contains("value=\"monthly\" checked"), "the form keeps what was typed")
                let created = try await browser.post("/agenda/plages", [
                    "lieu": setup.lieuID.uuidString, "motif_\(setup.motifID)": "on", "first_day": firstOfNextMonth.description,
                    "start": "09:00", "end": "12:00", "repeat": "monthly", "ordinal": "2", "month_weekday": "2",
                ])
                #expect(created.status == .seeOther)
            }
            let plages = try await world.database.tenant(setup.tenant).transaction { try await PlageRepository($0).of(agentID: setup.agent.id) }
            let plage = try #require(plages.first)
            let days = plage.span.recurrence.days(from: plage.span.firstDay, in: firstOfNextMonth...firstOfNextMonth.adding(days: 120))
            #expect(days.count >= 3)
            #expect(days.allSatisfy { $0.weekday == .tuesday && (8...14).contains($0.day) })
        }
    }

    @Test func anAbsenceIsChangedThenRemovedByItsOwnerOnly() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let monday = clock.localDate(of: Date()).adding(days: 8 - clock.localDate(of: Date()).weekday.rawValue)
            let span = RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .once)
            let theirAbsence = try await world.database.tenant(theirs.tenant).transaction {
                try await AbsenceRepository($0).create(agentID: theirs.agent.id, title: "Formation", span: span)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(setup.agent.email)
                try await browser.get("/agenda/absences/nouvelle")
                #expect(try await browser.post("/agenda/absences", [
                    "title": "Réunion", "first_day": monday.description, "start": "09:00", "end": "10:00", "repeat": "weekly", "weekday_1": "on", "interval": "1",
                ]).status == .seeOther)
                let week = try await browser.get("/agenda?semaine=\(monday)")
                let link = try #require(week.text.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
                    .first { $0.hasPrefix("/agenda/absences/") && !$0.hasSuffix("nouvelle") })
                let form = try await browser.get(link)
                #expect(form.text.contains("value=\"Réunion\"") && form.text.contains("name=\"weekday_1\" checked"))
                #expect(try await browser.post(link, ["first_day": monday.description, "start": "15:00", "end": "14:00"]).status == .unprocessableContent)
                #expect(try await browser.post(link, ["title": "Réunion", "first_day": monday.description, "start": "14:00", "end": "15:00", "repeat": "once"]).status == .seeOther)
                #expect(try await browser.get("/agenda?semaine=\(monday)").text.contains("Absence 14 h – 15 h"))
                #expect(!(try await browser.get("/agenda?semaine=\(monday.adding(days: 7))").text.contains("Absence")))

                #expect(try await browser.get("/agenda/absences/\(theirAbsence)").status == .notFound)
                #expect(try await browser.post("/agenda/absences/\(theirAbsence)/supprimer", [:]).status == .notFound)
                #expect(try await browser.post("\(link)/supprimer", [:]).status == .seeOther)
                #expect(!(try await browser.get("/agenda?semaine=\(monday)").text.contains("Absence")))
            }
            let remaining = try await world.database.tenant(theirs.tenant).transaction { try await AbsenceRepository($0).of(agentID: theirs.agent.id) }
            #expect(remaining.map(\.title) == ["Formation"])
        }
    }
}
