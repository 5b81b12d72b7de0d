import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Confirms a request sent from `browser`: the code from the outbox, posted to the confirmation page.
func confirm(_ browser: Browser, request location: String, world: TestWorld, tenant: Tenant, recipient: String) async throws -> TestClient.Response {
    let mail = try #require(try await world.outbox(of: tenant).first { $0.recipient == recipient && $0.subject.contains("code") })
    try await browser.get(location)
    return try await browser.post(location, ["code": try #require(mail.subject.confirmationCode)])
}

@Suite struct BookingRulesTests {
    @Test func whenTwoConfirmTheSameSlotTheSecondPicksOneOfTheNearest() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                let first = Browser(app: app, host: setup.host), second = Browser(app: app, host: setup.host)
                try await first.get(setup.detailsPath(at: "09:30"))
                try await second.get(setup.detailsPath(at: "09:30"))
                let a = try #require(try await first.post("/prendre-rdv", setup.fields(at: "09:30", email: "a@exemple.fr")).headers[.location])
                let b = try #require(try await second.post("/prendre-rdv", setup.fields(at: "09:30", email: "b@exemple.fr", extra: ["prenom": "Bob"])).headers[.location])
                #expect(try await confirm(first, request: a, world: world, tenant: setup.tenant, recipient: "a@exemple.fr").status == .seeOther)
                let taken = try await confirm(second, request: b, world: world, tenant: setup.tenant, recipient: "b@exemple.fr")
                #expect(taken.status == .conflict && taken.text.contains("Ce créneau vient d’être pris"))
                #expect(taken.text.contains("lundi"))
                let other = try #require(taken.text.components(separatedBy: "name=\"debut\" value=\"").dropFirst().first.map { String($0.prefix(while: \.isNumber)) })
                let picked = try await second.post("\(b)/creneau", ["debut": other])
                #expect(picked.status == .seeOther && picked.headers[.location]?.contains("/prendre-rdv/confirme/") == true)
            }
            let starts = try await world.database.tenant(setup.tenant).transaction { connection in
                var starts: [Date] = []
                for try await start in try await connection.query("SELECT starts_at FROM rdvs WHERE status = 'unknown' ORDER BY starts_at").decode(Date.self) { starts.append(start) }
                return starts
            }
            #expect(starts.count == 2 && Set(starts).count == 2, "two appointments, never on the same time")
        }
    }

    @Test func sectorisedMotifsFollowTheAddressStreetOverCommune() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            let other = try await world.makeOrganisation(in: setup.tenant, name: "PMI de Lens")
            try await world.database.tenant(setup.tenant).transaction { connection in
                #expect(try await MotifSectorisation(connection).setLevel(.organisation, ofMotif: setup.motifID))
                let sectors = SectorRepository(connection)
                let arras = try await sectors.ensure(named: "Arrageois"), gambetta = try await sectors.ensure(named: "Gambetta")
                _ = try await sectors.addZone(to: arras.id, communeCode: "62041", communeName: "Arras", streetName: nil)
                _ = try await sectors.addZone(to: gambetta.id, communeCode: "62041", communeName: "Arras", streetName: "Rue Gambetta")
                _ = try await sectors.attribute(sectorID: arras.id, organisationID: setup.organisation.id)
                _ = try await sectors.attribute(sectorID: gambetta.id, organisationID: other.id)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                #expect(try await browser.get("/prendre-rdv").text.contains("Votre adresse"))
                let unknown = try await browser.get("/prendre-rdv?commune_saisie=Paris")
                #expect(unknown.text.contains("Nous ne trouvons pas « Paris »"))
                #expect(try await browser.get("/prendre-rdv?commune_saisie=arras").text.contains("Consultation"))
                let gambetta = try await browser.get("/prendre-rdv?commune_saisie=ARRAS&voie=rue%20gambetta")
                #expect(gambetta.text.contains("Aucun rendez-vous ne se prend en ligne pour cette adresse"), "the street's sector is another organisation's")
                // Forcing the slot with another address changes nothing: the motif is not open there.
                try await browser.get("/mon-compte/connexion")
                #expect(try await browser.post("/prendre-rdv", setup.fields(at: "09:00", extra: ["commune": "62041", "voie": "Rue Gambetta"])).status == .notFound)
            }
        }
    }

    @Test func linksOfAnotherDepartementForgedOrExpiredOpenNothing() async throws {
        try await TestWorld.run { world in
            let mine = try await OnlineSetup.make(world)
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: mine.host)
                try await browser.get(mine.detailsPath(at: "09:00"))
                let request = try #require(try await browser.post("/prendre-rdv", mine.fields(at: "09:00")).headers[.location])
                let done = try #require(try await confirm(browser, request: request, world: world, tenant: mine.tenant, recipient: "lea.martin@exemple.fr").headers[.location])
                let mail = try #require(try await world.outbox(of: mine.tenant).first { $0.subject.hasPrefix("Rendez-vous confirmé") })
                let manage = try #require(mail.body.path(of: "http")).components(separatedBy: ".rdv.test").last!.drop(while: { $0 != "/" })

                let stranger = Browser(app: app, host: theirs.host)
                #expect(try await stranger.get(String(manage)).status == .notFound)
                #expect(try await stranger.get(done).status == .notFound)
                #expect(try await stranger.get(request).status == .notFound)
                #expect(try await browser.get(String(manage.dropLast(2)) + "AA").status == .notFound)
                let rdvID = try await world.database.tenant(mine.tenant).transaction { connection in
                    try #require(try await connection.query("SELECT id FROM rdvs").decode(UUID.self).first(where: { _ in true }))
                }
                let expired = SignedLink(secret: TestWorld.secretKey, scope: mine.tenant.schemaName)
                    .token(for: .init(rdvID: rdvID, expiresAt: Date().addingTimeInterval(-120)))
                #expect(try await browser.get("/gerer/\(expired)").status == .notFound)
                let valid = SignedLink(secret: TestWorld.secretKey, scope: mine.tenant.schemaName)
                    .token(for: .init(rdvID: rdvID, expiresAt: Date().addingTimeInterval(3600)))
                #expect(try await browser.get("/gerer/\(valid)").status == .ok)
                #expect(try await stranger.get("/gerer/\(valid)").status == .notFound, "signed for another département")
            }
        }
    }

    @Test func limitsHoneypotAndOneComingAppointmentPerMotif() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.get(setup.detailsPath(at: "09:00"))
                let robot = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", extra: ["site_web": "http://spam.example"]))
                let nothingSent = try await world.outbox(of: setup.tenant).isEmpty
                #expect(robot.status == .seeOther && nothingSent)

                let request = try #require(try await browser.post("/prendre-rdv", setup.fields(at: "09:00")).headers[.location])
                #expect(try await confirm(browser, request: request, world: world, tenant: setup.tenant, recipient: "lea.martin@exemple.fr").status == .seeOther)
                try await browser.get(setup.detailsPath(at: "09:30"))
                let again = try #require(try await browser.post("/prendre-rdv", setup.fields(at: "09:30")).headers[.location])
                let mails = try await world.outbox(of: setup.tenant).filter { $0.subject.contains("code") }
                let code = try #require(mails.first?.subject.confirmationCode)
                try await browser.get(again)
                let refused = try await browser.post(again, ["code": code])
                #expect(refused.status == .conflict && refused.text.contains("déjà un rendez-vous à venir pour ce motif"))

                // Five requests an hour for one email: the sixth is refused with a clear message.
                for _ in 0..<3 {
                    try await browser.get(setup.detailsPath(at: "09:30"))
                    #expect(try await browser.post("/prendre-rdv", setup.fields(at: "09:30")).status == .seeOther)
                }
                try await browser.get(setup.detailsPath(at: "09:30"))
                let limited = try await browser.post("/prendre-rdv", setup.fields(at: "09:30"))
                #expect(limited.status == .tooManyRequests && limited.text.contains("Trop de demandes"))
            }
            let count = try await world.database.tenant(setup.tenant).transaction { connection in
                try #require(try await connection.query("SELECT count(*)::int FROM rdvs").decode(Int.self).first(where: { _ in true }))
            }
            #expect(count == 1)
        }
    }

    @Test func theLinkMovesTheAppointmentWithinTheMotifsRules() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world) { $0.moveDeadlineMinutes = 0 }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                let manage = try await setup.bookAndOpenManageLink(at: "09:00", from: browser, world: world)
                let page = try await browser.post(manage, ["nom": "Mar"])
                #expect(page.text.contains("Déplacer le rendez-vous"))
                let later = setup.clock.instant(setup.monday, LocalTime("09:30")!)
                let moved = try await browser.post(manage, ["nom": "Mar", "action": "deplacer", "debut": String(Int(later.timeIntervalSince1970))])
                #expect(moved.text.contains("Votre rendez-vous est déplacé"))
                // A time the engine does not offer is refused.
                let night = setup.clock.instant(setup.monday, LocalTime("22:00")!)
                #expect(try await browser.post(manage, ["nom": "Mar", "action": "deplacer", "debut": String(Int(night.timeIntervalSince1970))]).status == .conflict)
            }
            let start = try await world.database.tenant(setup.tenant).transaction { connection in
                try #require(try await connection.query("SELECT starts_at FROM rdvs").decode(Date.self).first(where: { _ in true }))
            }
            #expect(start == setup.clock.instant(setup.monday, LocalTime("09:30")!))
        }
    }

    @Test func aSignedInUsagerBooksWithoutACodeAndFindsItInTheirSpace() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            let hash = try await PasswordHasher().hash(TestWorld.agentPassword)
            try await world.database.tenant(setup.tenant).transaction { connection in
                let accounts = UsagerAccountRepository(connection)
                let account = try await accounts.create(email: "paul@exemple.fr", firstName: "Paul", lastName: "Durand", passwordHash: hash)
                try await accounts.confirm(id: try #require(account).id)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.get("/mon-compte/connexion")
                try await browser.post("/mon-compte/connexion", ["email": "paul@exemple.fr", "password": TestWorld.agentPassword])
                let form = try await browser.get(setup.detailsPath(at: "09:00"))
                #expect(form.text.contains("value=\"Paul\"") && form.text.contains("value=\"paul@exemple.fr\""))
                let booked = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: "paul@exemple.fr", extra: ["prenom": "Paul", "nom": "Durand"]))
                #expect(booked.headers[.location]?.contains("/prendre-rdv/confirme/") == true, "no code for a signed-in usager")
                #expect(try await world.outbox(of: setup.tenant).allSatisfy { !$0.subject.contains("code") })
                let space = try await browser.get("/mon-compte")
                #expect(space.text.contains("Consultation") && space.text.contains("/g/"))
                // Their own appointment opens without the name check.
                let manage = try #require(space.text.links(startingWith: "/g/").first)
                #expect(try await browser.get(manage).text.contains("Annuler le rendez-vous"))
            }
        }
    }

    @Test func manyConfirmingOneSlotAtOnceLeaveExactlyOneAppointment() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                var pending: [(Browser, String)] = []
                for index in 0..<6 {
                    let browser = Browser(app: app, host: setup.host)
                    try await browser.get(setup.detailsPath(at: "09:00"))
                    let email = "personne\(index)@exemple.fr"
                    let location = try #require(try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: email, extra: ["prenom": "P\(index)", "telephone": ""])).headers[.location])
                    let mail = try #require(try await world.outbox(of: setup.tenant).first { $0.recipient == email })
                    try await browser.get(location)
                    pending.append((browser, location + "|" + (mail.subject.confirmationCode ?? "")))
                }
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (browser, target) in pending {
                        let parts = target.split(separator: "|").map(String.init)
                        group.addTask { Int(try await browser.post(parts[0], ["code": parts[1]]).status.code) }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 303 }.count == 1, "one wins: \(statuses)")
                #expect(statuses.filter { $0 == 409 }.count == 5, "the others are told it was just taken: \(statuses)")
            }
            let count = try await world.database.tenant(setup.tenant).transaction { connection in
                try #require(try await connection.query("SELECT count(*)::int FROM rdvs").decode(Int.self).first(where: { _ in true }))
            }
            #expect(count == 1)
        }
    }

    @Test func aTimeThatIsNotAFreeSlotIsRefusedAtEachStep() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                let night = try await browser.get(setup.detailsPath(at: "22:00"))
                #expect(night.status == .conflict && night.text.contains("n’est plus libre") && night.text.contains("/prendre-rdv/coordonnees?"))
                try await browser.get("/mon-compte/connexion")
                #expect(try await browser.post("/prendre-rdv", setup.fields(at: "22:00")).status == .conflict)
                #expect(try await browser.get("/prendre-rdv/coordonnees?motif=\(UUID())&lieu=\(setup.lieuID)&debut=1").status == .notFound)
                #expect(try await browser.get("/prendre-rdv/coordonnees").status == .badRequest)
                #expect(try await browser.get("/prendre-rdv/confirmation/inconnu").status == .notFound)
            }
            #expect(try await world.outbox(of: setup.tenant).isEmpty)
        }
    }
}
