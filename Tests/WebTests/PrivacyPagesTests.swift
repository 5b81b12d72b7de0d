import Foundation
import HTTPTypes
import Identity
import PostgresNIO
import Privacy
import Testing
import TestSupport
@testable import Tenancy

/// The département's personal-data pages over HTTP: retention durations, the access trail
/// (pages, API and exports feed it), and the public register of processing activities.
@Suite struct PrivacyPagesTests {
    static func trail(_ world: TestWorld, _ d: CrossDepartement, usager: UUID) async throws -> [AccessTrail.Entry] {
        try await world.database.tenant(d.tenant).transaction { try await AccessTrail($0).entries(of: usager) }
    }

    static let validForm: [String: String] = [
        "rdv_months": "36", "usager_months": "24", "message_months": "3", "agent_months": "18", "agent_notice_days": "30",
        "trail_months": "12", "api_call_days": "90",
    ]

    @Test func theDepartementsAdministratorSetsTheDurationsAndTheRegisterSaysThem() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            try await world.withLiveApp { app in
                let chief = try await a.signedIn(a.deptAdmin, app)
                #expect(try await chief.get("/agent").text.contains("/donnees-personnelles"))
                let page = try await chief.get("/donnees-personnelles")
                #expect(page.status == .ok)
                #expect(page.text.contains("Au prochain passage") && page.text.contains("Rendez-vous supprimés"))

                let wrong = try await chief.post("/donnees-personnelles", Self.validForm.merging(["rdv_months": "2", "api_call_days": "beaucoup"]) { $1 })
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.text.contains("un nombre de 6 à 120 mois") && wrong.text.contains("un nombre de 30 à 730 jours"))
                #expect(try await world.database.tenant(a.tenant).transaction { try await RetentionSettings.load($0) } == .standard, "nothing saved")

                let saved = try await chief.post("/donnees-personnelles", Self.validForm)
                #expect(saved.status == .ok && saved.text.contains("Durées enregistrées"))
                let settings = try await world.database.tenant(a.tenant).transaction { try await RetentionSettings.load($0) }
                #expect(settings.rdvMonths == 36 && settings.messageMonths == 3 && settings.apiCallDays == 90)
                #expect(try await world.database.tenant(b.tenant).transaction { try await RetentionSettings.load($0) } == .standard, "B keeps its own")

                // Everyone reads the register; each département's says its own durations.
                let register = try await Browser(app: app, host: a.host).get("/confidentialite")
                #expect(register.status == .ok)
                #expect(register.text.contains("Rendez-vous : supprimés 36 mois après leur date"))
                #expect(register.text.contains("Département Alpha"))
                let other = try await Browser(app: app, host: b.host).get("/confidentialite")
                #expect(other.text.contains("supprimés 24 mois") && !other.text.contains("Alpha"))

                // Organisation administrators and agents do not set them.
                for agent in [a.admin, a.agent] {
                    let browser = try await a.signedIn(agent, app)
                    #expect(try await browser.get("/donnees-personnelles").status == .forbidden)
                    #expect(try await browser.post("/donnees-personnelles", Self.validForm).status == .forbidden)
                    #expect(try await browser.get("/usagers/\(a.targets.usagerID)/acces").status == .forbidden)
                }
            }
        }
    }

    @Test func viewingSearchingChangingAndExportingAUsagerLeaveATrail() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            let usager = a.targets.usagerID
            try await world.withLiveApp { app in
                let agent = try await a.signedIn(a.agent, app)
                #expect(try await agent.get("/usagers?q=Alpha").status == .ok)
                #expect(try await agent.get("/usagers/\(usager)").status == .ok)
                let chief = try await a.signedIn(a.deptAdmin, app)
                #expect(try await chief.post("/exports", ["donnees": "usagers", "format": "csv"]).status == .ok)
                let api = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                #expect(try await api.get("/usagers/\(usager.uuidString.lowercased())").status == .ok)

                let entries = try await Self.trail(world, a, usager: usager)
                #expect(entries.map(\.action) == [.viewed, .exported, .viewed, .searched], "newest first")
                #expect(entries.last?.agentName == a.agent.fullName)
                #expect(entries.first?.tokenName != nil, "the API call names its token")
                #expect(entries.allSatisfy { $0.ip == "127.0.0.1" })

                // The administrator reads it, and downloads it for the person's access request.
                let page = try await chief.get("/usagers/\(usager)/acces")
                #expect(page.status == .ok)
                #expect(page.text.contains("Dossier consulté") && page.text.contains("Compris dans un export") && page.text.contains(a.agent.fullName))
                let csv = try await chief.get("/usagers/\(usager)/acces.csv")
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8" && csv.headers[.cacheControl] == "no-store")
                let lines = csv.text.split(separator: "\r\n")
                #expect(lines.count == 5, "a header and four accesses")
                #expect(lines[1].contains("Dossier consulté") && lines[4].contains("Trouvé par une recherche"))
                #expect(try await chief.get("/donnees-personnelles").text.contains("/usagers/\(usager)/acces"))

                // Nothing of it on B's side, and B's administrator cannot read A's usager.
                let bChief = try await b.signedIn(b.deptAdmin, app)
                #expect(try await bChief.get("/donnees-personnelles").text.contains("Aucun accès enregistré"))
                #expect(try await bChief.get("/usagers/\(usager)/acces").status == .notFound)
                let bTrail = try await world.database.tenant(b.tenant).transaction { try await AccessTrail($0).latest() }
                #expect(bTrail.isEmpty)
            }
        }
    }
}
