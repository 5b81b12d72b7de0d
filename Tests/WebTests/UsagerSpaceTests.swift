import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// The usager's own space: relatives, contact and preferences, data download, account deletion.
@Suite struct UsagerSpaceTests {
    @Test func aUsagerKeepsTheirDetailsDownloadsTheirDataAndDeletesTheAccount() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            let hash = try await PasswordHasher().hash(TestWorld.agentPassword)
            try await world.database.tenant(setup.tenant).transaction { connection in
                let accounts = UsagerAccountRepository(connection)
                try await accounts.confirm(id: try #require(try await accounts.create(email: "paul@exemple.fr", firstName: "Paul", lastName: "Durand", passwordHash: hash)).id)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.get("/mon-compte/connexion")
                try await browser.post("/mon-compte/connexion", ["email": "paul@exemple.fr", "password": TestWorld.agentPassword])
                #expect(try await browser.get("/mon-compte").text.contains("Aucun rendez-vous à venir"))
                #expect(try await browser.post("/mon-compte/proches", ["prenom": "Zoé", "nom": "Durand", "naissance": "12/03/2020"]).text.contains("Proche ajouté"))
                #expect(try await browser.post("/mon-compte/coordonnees", ["telephone": "07"]).status == .unprocessableContent)
                #expect(try await browser.post("/mon-compte/coordonnees", ["telephone": "0692 12 34 56", "email": "paul@exemple.fr", "courriel": "on"]).text.contains("préférences enregistrées"))
                #expect(try await browser.get(setup.detailsPath(at: "09:00")).text.contains("value=\"+262692123456\""))
                _ = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: "paul@exemple.fr", extra: [
                    "prenom": "Paul", "nom": "Durand", "pour": "proche", "proche_prenom": "Zoé", "proche_nom": "Durand", "telephone": "+262692123456",
                ]))

                let json = try await browser.get("/mon-compte/donnees.json")
                #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
                let document = try #require(try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any])
                let people = try #require(document["personnes"] as? [[String: Any]])
                #expect(Set(people.compactMap { $0["prenom"] as? String }) == ["Paul", "Zoé"])
                #expect(people.contains { $0["telephone"] as? String == "+262692123456" })
                let appointments = try #require(document["rendez_vous"] as? [[String: Any]])
                #expect(appointments.count == 1 && appointments.first?["personne"] as? String == "Zoé Durand")
                #expect(try await browser.get("/mon-compte/donnees").text.contains("Zoé"))

                // The same cookie means nothing on another département's site.
                let elsewhere = Browser(app: app, host: theirs.host)
                await elsewhere.copyCookies(from: browser)
                #expect(try await elsewhere.get("/mon-compte").status == .seeOther)
                #expect(try await elsewhere.get("/mon-compte/donnees.json").status == .seeOther)

                #expect(try await browser.post("/mon-compte/suppression", ["confirmation": "oui"]).status == .unprocessableContent)
                let deleted = try await browser.post("/mon-compte/suppression", ["confirmation": "supprimer"])
                #expect(deleted.status == .seeOther)
                #expect(try await browser.get("/mon-compte").status == .seeOther, "signed out")
                let again = Browser(app: app, host: setup.host)
                try await again.get("/mon-compte/connexion")
                #expect(try await again.post("/mon-compte/connexion", ["email": "paul@exemple.fr", "password": TestWorld.agentPassword]).status != .seeOther)
            }
            let (accounts, rdvs) = try await world.database.tenant(setup.tenant).transaction { connection in
                (
                    try #require(try await connection.query("SELECT count(*)::int FROM usager_accounts").decode(Int.self).first(where: { _ in true })),
                    try #require(try await connection.query("SELECT count(*)::int FROM rdvs WHERE status = 'unknown'").decode(Int.self).first(where: { _ in true }))
                )
            }
            #expect(accounts == 0 && rdvs == 1, "the account goes, the appointment stays")
        }
    }
}
