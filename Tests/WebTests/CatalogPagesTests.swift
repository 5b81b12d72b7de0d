import Agenda
import Booking
import Foundation
import Identity
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Administrators edit every rule of a motif, archive it, and close a lieu; nobody else can.
@Suite struct CatalogPagesTests {
    @Test func aMotifsRulesAreEditedThenItIsArchivedAndRestored() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let organisation = try #require(setup.agent.organisationID)
            let admin = try await world.makeAgent(in: setup.tenant, role: .admin, organisation: Organisation(id: organisation, name: ""))
            let totp = try await world.enrolSecondFactor(admin, in: setup.tenant)
            let neighbour = try await world.makeOrganisation(in: setup.tenant, name: "Voisine")
            let otherAdmin = try await world.makeAgent(in: setup.tenant, role: .admin, organisation: neighbour)
            let otherTOTP = try await world.enrolSecondFactor(otherAdmin, in: setup.tenant)
            let serviceID = try await world.database.tenant(setup.tenant).transaction { try #require(try await AgendaCatalog($0).services().first?.id) }
            try await world.withLiveApp { app in
                let host = "\(setup.tenant.slug).rdv.test"
                let browser = Browser(app: app, host: host)
                try await browser.signIn(admin.email, totp: totp)
                let page = try await browser.get("/organisation/motifs/\(setup.motifID)")
                #expect(page.status == .ok && page.text.contains("value=\"Consultation\""))

                var fields = [
                    "name": "Consultation en visio", "service": serviceID.uuidString, "color": "#AA3300", "duration": "45",
                    "location_type": "video", "video_link_template": "", "bookable_by": "everyone", "minimum_hours": "2",
                    "maximum_days": "30", "cancellable": "on", "cancellation_hours": "24", "move_hours": "72",
                    "follow_up_only": "on", "sensitive": "on", "sectorisation_level": "organisation", "rappels_propres": "on", "rappel_1_heures": "24", "rappel_1_email": "on", "instructions_before": "Munissez-vous du carnet de santé.",
                    "instructions_after": "",
                ]
                let invalid = try await browser.post("/organisation/motifs/\(setup.motifID)", fields)
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("demande l’adresse du salon"))
                #expect(invalid.text.contains("Munissez-vous du carnet de santé."), "what was typed stays")
                fields["video_link_template"] = "https://webconf.example.fr/rdv-{code}"
                #expect(try await browser.post("/organisation/motifs/\(setup.motifID)", fields).text.contains("Motif enregistré."))

                let archived = try await browser.post("/organisation/motifs/\(setup.motifID)/archive", ["archived": "1"])
                #expect(archived.text.contains("Motif archivé"))
                #expect(!(try await browser.get("/creneaux").text.contains("Consultation en visio")))
                #expect(try await browser.get("/organisation").text.contains("Motifs archivés"))
                #expect(try await browser.post("/organisation/motifs/\(setup.motifID)/archive", ["archived": "0"]).text.contains("Motif rétabli"))

                // Another département's motif is not found; a neighbour organisation's admin may not touch it.
                #expect(try await browser.get("/organisation/motifs/\(theirs.motifID)").status == .notFound)
                #expect(try await browser.post("/organisation/motifs/\(theirs.motifID)/archive", ["archived": "1"]).status == .notFound)
                let neighbourBrowser = Browser(app: app, host: host)
                try await neighbourBrowser.signIn(otherAdmin.email, totp: otherTOTP)
                #expect(try await neighbourBrowser.get("/organisation/motifs/\(setup.motifID)").status == .forbidden)
            }
            let rules = try #require(try await world.database.tenant(setup.tenant).transaction { try await MotifRepository($0).find(setup.motifID) })
            #expect(rules.rules.name == "Consultation en visio" && rules.rules.durationMinutes == 45 && rules.rules.color == "#aa3300")
            #expect(rules.rules.locationType == .video && rules.rules.bookableBy == .everyone && rules.rules.followUpOnly && rules.rules.sensitive)
            #expect(!rules.rules.movableByUsager && rules.rules.cancellationDeadlineMinutes == 24 * 60 && rules.rules.minimumDelayMinutes == 120)
            #expect(rules.archived == false)
            let level = try await world.database.tenant(setup.tenant).transaction { try await MotifSectorisation($0).level(ofMotif: setup.motifID) }
            #expect(level == .organisation)
            let reminders = try await world.database.tenant(setup.tenant).transaction { try await MotifReminderPolicy($0).policy(of: setup.motifID) }
            #expect(reminders == ReminderPolicy(reminders: [.init(minutes: 1440, channels: [.email])]))
            let link = try #require(rules.rules.videoLink(for: UUID()))
            #expect(link.hasPrefix("https://webconf.example.fr/rdv-") && link.count == "https://webconf.example.fr/rdv-".count + 12)
            let theirRules = try await world.database.tenant(theirs.tenant).transaction { try await MotifRepository($0).find(theirs.motifID) }
            #expect(theirRules?.archived == false && theirRules?.rules.name == "Consultation")
        }
    }

    @Test func aClosedLieuOffersNoSlot() async throws {
        try await TestWorld.run { world in
            let setup = try await AgendaPagesTests().setUp(world)
            let theirs = try await AgendaPagesTests().setUp(world, name: "Drôme")
            let organisation = try #require(setup.agent.organisationID)
            let admin = try await world.makeAgent(in: setup.tenant, role: .admin, organisation: Organisation(id: organisation, name: ""))
            let totp = try await world.enrolSecondFactor(admin, in: setup.tenant)
            let clock = try #require(WallClock(timeZone: setup.tenant.timeZone))
            let monday = clock.localDate(of: Date()).adding(days: 8 - clock.localDate(of: Date()).weekday.rawValue)
            try await world.database.tenant(setup.tenant).transaction { connection in
                try await PlageRepository(connection).create(
                    agentID: setup.agent.id, lieuID: setup.lieuID,
                    span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("12:00")!, recurrence: .once),
                    motifIDs: [setup.motifID]
                )
            }
            let slots = { try await world.database.tenant(setup.tenant).transaction { connection in
                try await SlotSearch(connection, tenant: setup.tenant).slots(motifID: setup.motifID, now: Date())
            } }
            #expect(try await slots().count == 6)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(setup.tenant.slug).rdv.test")
                try await browser.signIn(admin.email, totp: totp)
                let form = try await browser.get("/organisation/lieux/\(setup.lieuID)")
                #expect(form.text.contains("value=\"1 rue de la Paix\""))
                let invalid = try await browser.post("/organisation/lieux/\(setup.lieuID)", ["name": "", "address": "", "status": "open"])
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("L’adresse du lieu est obligatoire") && invalid.text.contains("l’état du lieu"))
                let closed = try await browser.post("/organisation/lieux/\(setup.lieuID)", ["name": "Centre d’Arras", "address": "2 place Foch", "status": "disabled"])
                #expect(closed.text.contains("Lieu enregistré."))
                #expect(try await browser.get("/organisation").text.contains("Fermé"))
                #expect(try await browser.get("/organisation/lieux/\(theirs.lieuID)").status == .notFound)
                #expect(try await browser.post("/organisation/lieux/\(theirs.lieuID)", ["name": "X", "address": "Y", "status": "disabled"]).status == .notFound)
            }
            #expect(try await slots().isEmpty)
            let theirLieux = try await world.database.tenant(theirs.tenant).transaction { try await AgendaCatalog($0).lieux() }
            #expect(theirLieux.map(\.status) == [.enabled])
        }
    }
}
