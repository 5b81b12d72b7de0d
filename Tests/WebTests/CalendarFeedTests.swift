import Agenda
import Foundation
import HTTPTypes
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// An agent's secret calendar feed, from the account page to a calendar application: what it
/// holds (read back by Python's `icalendar`), that it shares its UIDs and sequences with the
/// invitations, that it names no usager unless asked, and that its address dies when it must.
@Suite struct CalendarFeedTests {
    /// Creates the feed from the account page and returns its path, read from the page.
    static func createFeed(_ browser: Browser, names: Bool = false) async throws -> String {
        try await browser.get("/compte")
        let page = try await browser.post("/compte/calendrier", names ? ["noms": "on"] : [:])
        #expect(page.status == .ok)
        return try #require(feedPath(in: page.text))
    }

    /// The feed's path as the page shows it, whole, once.
    static func feedPath(in page: String) -> String? {
        guard let range = page.range(of: #"/calendrier/[A-Za-z0-9_-]{43}\.ics"#, options: .regularExpression) else { return nil }
        return String(page[range])
    }

    @Test func theFeedHoldsTheAgentsAgendaWithTheInvitationsUIDsAndNoNameUnlessAsked() async throws {
        try await TestWorld.run { world in
            let fixture = try await CalendarFeedFixture.make(world)
            let setup = fixture.setup
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                #expect(try await browser.signIn(setup.agent.email) == 303)
                let path = try await Self.createFeed(browser)
                #expect(try await browser.get("/compte").text.contains("dernière lecture par une application : jamais"))
                #expect(Self.feedPath(in: try await browser.get("/compte").text) == nil, "the address is shown once, when made")

                let response = try await app.get(path, host: setup.host)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/calendar; charset=utf-8")
                #expect(response.headers[.cacheControl] == "private, max-age=300")
                #expect(response.headers[.eTag]?.hasPrefix("\"") == true)
                let body = response.text
                for name in ["Léa", "Martin", "Paul", "Durand", "Zoé", "Secret", "confidentielle"] {
                    #expect(!body.contains(name), "\(name) is not in a feed without names")
                }

                let movedInvitations = try await fixture.invitations(of: fixture.moved, world)
                let cancelledInvitations = try await fixture.invitations(of: fixture.cancelled, world)
                #expect(movedInvitations.count == 2 && cancelledInvitations.count == 2, "confirmation then change or cancellation")
                let parsed = try await ParsedCalendar.read([body] + movedInvitations + cancelledInvitations)
                let feed = parsed[0]
                #expect(feed.properties["method"] == "PUBLISH")
                #expect(feed.properties["x-wr-calname"] == "Mes rendez-vous – \(setup.tenant.name)")
                #expect(feed.properties["refresh-interval"] == "3600" && feed.properties["x-published-ttl"] == "PT1H")

                // The calendar that got the emails holds the same events: same UID, same latest sequence.
                let lastMoved = try #require(parsed[2].events.first), lastCancelled = try #require(parsed[4].events.first)
                let moved = try #require(feed.events.first { $0.uid == lastMoved.uid }, "the moved appointment under its invitation's UID")
                let cancelled = try #require(feed.events.first { $0.uid == lastCancelled.uid }, "the cancelled one under its invitation's UID")
                #expect(parsed[1].events.first?.uid == lastMoved.uid, "the confirmation and the change share the UID")
                #expect(moved.sequence == lastMoved.sequence && moved.sequence == 1)
                #expect(cancelled.sequence == lastCancelled.sequence && cancelled.sequence == 1)
                #expect(moved.status == "CONFIRMED" && !moved.transparent)
                #expect(cancelled.status == "CANCELLED" && cancelled.transparent)
                #expect(moved.start.utc && moved.end.utc && moved.stamp.utc)
                #expect(moved.start.epoch == Int(fixture.movedStart.timeIntervalSince1970))
                #expect(moved.end.epoch == Int(fixture.movedStart.timeIntervalSince1970) + 1800)
                #expect(moved.summary == "RDV – Consultation" && moved.location == "Centre d’Arras, 1 rue de la Paix, Arras")
                #expect(moved.description.contains("/rdv/\(fixture.moved.uuidString.lowercased())"))

                let uids = Set(feed.events.map(\.uid))
                let sensitive = try #require(feed.events.first { $0.uid.hasPrefix(fixture.sensitive.uuidString.lowercased()) })
                #expect(sensitive.summary == "RDV", "a sensitive motif's name is not in the feed")
                #expect(!uids.contains { $0.hasPrefix(fixture.tooOld.uuidString.lowercased()) }, "40 days back is out of the feed")
                #expect(!uids.contains { $0.hasPrefix(fixture.tooFar.uuidString.lowercased()) }, "400 days ahead is out of the feed")
                let absence = try #require(feed.events.first { $0.uid.hasPrefix("absence-\(fixture.absenceID.uuidString.lowercased())") })
                #expect(absence.summary == "Absence" && absence.status == "CONFIRMED" && !absence.transparent && absence.start.utc)
                #expect(absence.start.epoch == Int(fixture.absenceStart.timeIntervalSince1970) && absence.end.epoch == absence.start.epoch.map { $0 + 7200 })
                // The plage d'ouverture, Mondays 9:00 to 10:00: free time at its lieu, every week of the window.
                let plages = feed.events.filter { $0.uid.hasPrefix("plage-") }
                #expect(plages.count >= 52 && plages.allSatisfy { $0.transparent && $0.summary == "Plage d’ouverture – Centre d’Arras" && $0.start.utc })
                let firstMonday = Int(setup.clock.instant(setup.monday, LocalTime("09:00")!).timeIntervalSince1970)
                #expect(plages.contains { $0.start.epoch == firstMonday && $0.end.epoch == firstMonday + 3600 })
                #expect(plages.allSatisfy { plage in
                    let start = Date(timeIntervalSince1970: Double(plage.start.epoch ?? 0))
                    return setup.clock.localDate(of: start).weekday == .monday && setup.clock.localTime(of: start) == LocalTime("09:00")!
                }, "at 9:00 on Mondays, Paris time, on both sides of clock changes")
                #expect(feed.events.count - plages.count == 4, "three appointments and one absence: \(feed.events.map(\.summary))")

                // Opting in: the names show, never the sensitive motif's name.
                let page = try await browser.post("/compte/calendrier/noms", ["noms": "on"])
                #expect(page.text.contains("Les noms des usagers figureront"))
                let named = try await ParsedCalendar.read([try await app.get(path, host: setup.host).text])[0]
                #expect(named.events.first { $0.uid == lastMoved.uid }?.summary == "RDV – Consultation – Léa Martin")
                #expect(named.events.first { $0.uid == lastCancelled.uid }?.summary == "RDV – Consultation – Paul Durand")
                #expect(named.events.first { $0.uid == sensitive.uid }?.summary == "RDV – Zoé Secret")

                let account = try await browser.get("/compte").text
                #expect(!account.contains("dernière lecture par une application : jamais"), "the page shows when the feed was last read")
                #expect(try await fixture.auditActions(world) == ["calendar_feed.created", "calendar_feed.names_changed"])
            }
        }
    }

    @Test func regeneratingRevokingOrDeactivatingKillsTheAddressAndETagsAnswer304() async throws {
        try await TestWorld.run { world in
            let fixture = try await CalendarFeedFixture.make(world)
            let setup = fixture.setup
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                #expect(try await browser.signIn(setup.agent.email) == 303)
                let first = try await Self.createFeed(browser)
                let unknownPage = try await app.get("/calendrier/\(String(repeating: "x", count: 43)).ics", host: setup.host)
                #expect(unknownPage.status == .notFound)
                let notFound = try await app.get("/aucune-page-ici", host: setup.host).text

                let fresh = try await app.get(first, host: setup.host)
                let etag = try #require(fresh.headers[.eTag])
                let again = try await app.get(first, host: setup.host, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified && again.text.isEmpty && again.headers[.eTag] == etag)
                #expect(try await app.get(first, host: setup.host, headers: [.ifNoneMatch: "\"autre\", W/\(etag)"]).status == .notModified)
                #expect(try await app.get(first, host: setup.host, headers: [.ifNoneMatch: "\"autre\""]).status == .ok)
                // A change to the agenda is a new version.
                try await world.database.tenant(setup.tenant).transaction { [fixture] connection in
                    try await connection.query("UPDATE rdvs SET status = 'seen', updated_at = now() WHERE id = \(fixture.sensitive)")
                }
                #expect(try await app.get(first, host: setup.host, headers: [.ifNoneMatch: etag]).status == .ok)

                try await browser.get("/compte")
                let regenerated = try await browser.post("/compte/calendrier/regenerer", [:])
                #expect(regenerated.text.contains("l’ancienne ne fonctionne plus"))
                let second = try #require(Self.feedPath(in: regenerated.text))
                #expect(second != first)
                let dead = try await app.get(first, host: setup.host)
                #expect(dead.status == .notFound && dead.text == notFound, "the old address is any unknown page")
                #expect(try await app.get(second, host: setup.host).status == .ok)

                let revoked = try await browser.post("/compte/calendrier/revoquer", [:])
                #expect(revoked.text.contains("son adresse ne fonctionne plus"))
                #expect(try await app.get(second, host: setup.host).status == .notFound)

                let third = try await Self.createFeed(browser)
                #expect(try await app.get(third, host: setup.host).status == .ok)
                try await world.database.tenant(setup.tenant).transaction { [agentID = setup.agent.id] connection in
                    try await connection.query("UPDATE agents SET disabled_at = now() WHERE id = \(agentID)")
                }
                let deactivated = try await app.get(third, host: setup.host)
                #expect(deactivated.status == .notFound && deactivated.text == notFound, "a deactivated agent's feed")
                #expect(try await fixture.auditActions(world) == [
                    "calendar_feed.created", "calendar_feed.regenerated", "calendar_feed.revoked", "calendar_feed.created",
                ])
            }
        }
    }

    @Test func theAccountActionsNeedTheAgentsSessionAndFormAndTouchOnlyTheirOwnFeed() async throws {
        try await TestWorld.run { world in
            let fixture = try await CalendarFeedFixture.make(world)
            let setup = fixture.setup
            let colleague = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: setup.organisation)
            try await world.withLiveApp { app in
                let owner = Browser(app: app, host: setup.host)
                #expect(try await owner.signIn(setup.agent.email) == 303)
                let path = try await Self.createFeed(owner)

                // No session: the sign-in page, nothing done.
                let visitor = Browser(app: app, host: setup.host)
                try await visitor.get("/connexion")
                for action in ["/compte/calendrier", "/compte/calendrier/regenerer", "/compte/calendrier/noms", "/compte/calendrier/revoquer"] {
                    let response = try await visitor.post(action, ["noms": "on"])
                    #expect(response.status == .seeOther && response.headers[.location]?.hasPrefix("/connexion") == true, "\(action) without a session")
                }
                // A session but no form token: refused, nothing done.
                for action in ["/compte/calendrier/regenerer", "/compte/calendrier/noms", "/compte/calendrier/revoquer"] {
                    #expect(try await owner.post(action, ["noms": "on"], csrf: "faux").status == .forbidden, "\(action) without the form's token")
                }

                // A colleague acts on their own feed only, and never sees the owner's.
                let other = Browser(app: app, host: setup.host)
                #expect(try await other.signIn(colleague.email) == 303)
                let page = try await other.get("/compte").text
                #expect(page.contains("Créer mon adresse d’abonnement") && !page.contains("Abonnement créé le"))
                #expect(try await other.post("/compte/calendrier/revoquer", [:]).text.contains("Vous n’avez pas d’abonnement calendrier."))
                #expect(try await other.post("/compte/calendrier/noms", ["noms": "on"]).text.contains("Vous n’avez pas d’abonnement calendrier."))
                let theirs = try await Self.createFeed(other)
                #expect(theirs != path)

                let feed = try await app.get(path, host: setup.host)
                #expect(feed.status == .ok && !feed.text.contains("Martin"), "the owner's feed still works, still without names")
                #expect(try await fixture.auditActions(world) == ["calendar_feed.created"])
                let colleagueFeed = try await ParsedCalendar.read([try await app.get(theirs, host: setup.host).text])[0]
                #expect(colleagueFeed.events.isEmpty, "the colleague's feed holds none of the owner's agenda")
            }
        }
    }

    @Test func anOverseasDepartementsFeedIsInUTCFromItsOwnClock() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(code: DepartementCode("973"), name: "Guyane")
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
            let clock = tenant.clock
            let day = clock.localDate(of: Date()).adding(days: 10)
            let token = try await world.database.tenant(tenant).transaction { connection in
                try await AbsenceRepository(connection).create(
                    agentID: agent.id, title: "", span: RecurringSpan(firstDay: day, start: LocalTime("14:00")!, end: LocalTime("15:00")!, recurrence: .once)
                )
                return try await CalendarFeeds(connection, agentID: agent.id, ip: nil).issue().token.value
            }
            try await world.withLiveApp { app in
                let text = try await app.get("/calendrier/\(token).ics", host: "\(tenant.slug).rdv.test").text
                let feed = try #require(try await ParsedCalendar.read([text]).first)
                #expect(tenant.timeZone == "America/Cayenne" && feed.properties["x-wr-timezone"] == "America/Cayenne")
                let absence = try #require(feed.events.first)
                // Cayenne is three hours behind UTC all year: 14:00 there is 17:00 UTC.
                let midnight = day.dayNumber * 86_400
                #expect(absence.start.utc && absence.start.epoch == midnight + 17 * 3600 && absence.end.epoch == midnight + 18 * 3600)
            }
        }
    }

    @Test func aFeedOfOneDepartementIsUnknownOnAnothersHost() async throws {
        try await TestWorld.run { world in
            let mine = try await CalendarFeedFixture.make(world)
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: mine.setup.host)
                #expect(try await browser.signIn(mine.setup.agent.email) == 303)
                let path = try await Self.createFeed(browser, names: true)
                let notFound = try await app.get("/aucune-page-ici", host: theirs.host).text
                let elsewhere = try await app.get(path, host: theirs.host)
                #expect(elsewhere.status == .notFound && elsewhere.text == notFound)
                #expect(!elsewhere.text.contains("Martin") && !elsewhere.text.contains("VCALENDAR"))
                #expect(try await browser.get("/compte").text.contains("dernière lecture par une application : jamais"), "not read elsewhere")
                #expect(try await app.get(path, host: mine.setup.host).text.contains("Léa Martin"), "on its own host it works")
            }
        }
    }
}
