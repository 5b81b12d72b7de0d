import Agenda
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// Plages d'ouverture and usagers written through the API with the rules of the agenda page and
/// of the usager's record: versions checked with If-Match, French field errors, nothing
/// half-written.
@Suite struct APIPlageUsagerTests {
    /// A write token and a read token of the fixture's plain agent.
    private func tokens(_ world: TestWorld, _ a: CrossDepartement) async throws -> (write: String, read: String) {
        try await world.database.tenant(a.tenant).transaction { connection in
            let tokens = APITokenRepository(connection)
            return (
                try await tokens.create(agentID: a.agent.id, name: "Agenda partenaire", scopes: [.read, .write], days: 30).secret,
                try await tokens.create(agentID: a.agent.id, name: "Lecture", scopes: [.read], days: 30).secret
            )
        }
    }

    private func fields(_ response: TestClient.Response) -> [String: String] {
        var found: [String: String] = [:]
        for error in response.object["errors"] as? [[String: Any]] ?? [] {
            if let field = error["field"] as? String, found[field] == nil { found[field] = error["detail"] as? String }
        }
        return found
    }

    @Test func aPlageIsCreatedChangedWithItsVersionAndDeleted() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let (token, readToken) = try await tokens(world, a)
            let firstDay = a.targets.occurrenceDay.adding(days: 29)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let new: [String: Any] = [
                    "lieu_id": a.targets.lieuID.uuidString, "motif_ids": [a.targets.motifID.uuidString], "first_day": firstDay.description,
                    "start_time": "14:00", "end_time": "16:00", "recurrence": ["kind": "weekly", "weekdays": [2, 4], "until": firstDay.adding(days: 60).description],
                ]
                // A read token writes nothing.
                let reader = try await APIClient(app: app, host: a.host, token: readToken).post("/plages", jsonText(new))
                #expect(reader.status == .forbidden && reader.object["code"] as? String == "insufficient_scope")

                let created = try await api.post("/plages", jsonText(new))
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.object["id"] as? String)
                #expect(created.headers[.location] == "/api/v1/plages/\(id)")
                #expect(created.object["agent_id"] as? String == a.agent.id.uuidString.lowercased() && created.object["warnings"] as? [String] == [])
                #expect((created.object["recurrence"] as? [String: Any])?["weekdays"] as? [Int] == [2, 4])
                let read = try await api.get("/plages/\(id)")
                let etag = try #require(read.headers[.eTag])
                #expect(etag == created.headers[.eTag] && read.object["warnings"] == nil)
                // The new hours are offered: the agenda page shows the plage.
                let week = firstDay.adding(days: 1 - firstDay.weekday.rawValue)
                #expect(try await a.signedIn(a.agent, app).get("/agenda?semaine=\(week)").text.lowercased().contains("/agenda/plages/\(id)"))

                // A stale version is refused and changes nothing.
                let path = "/api/v1/plages/\(id)"
                let stale = try await api.send(.patch, path, json: jsonText(["end_time": "17:00"]), headers: [.ifMatch: "\"0000\""])
                #expect(stale.status == .preconditionFailed && stale.isProblem && stale.object["code"] as? String == "stale_write")
                #expect(try await api.send(.get, path).headers[.eTag] == etag)
                let changed = try await api.send(.patch, path, json: jsonText(["end_time": "17:00"]), headers: [.ifMatch: etag])
                #expect(changed.status == .ok && changed.object["end_time"] as? String == "17:00" && changed.object["start_time"] as? String == "14:00")
                #expect((changed.object["recurrence"] as? [String: Any])?["weekdays"] as? [Int] == [2, 4], "the fields left out keep their values")
                let newer = try #require(changed.headers[.eTag])
                let reread = try await api.send(.get, path).headers[.eTag]
                #expect(newer != etag && newer == reread)
                #expect(try await api.send(.patch, path, json: jsonText(["end_time": "18:00"]), headers: [.ifMatch: etag]).status == .preconditionFailed)

                // A motif longer than the plage is saved with the page's warning.
                let short = try await api.send(.patch, path, json: jsonText(["start_time": "14:00", "end_time": "14:15"]), headers: [.ifMatch: newer])
                #expect(short.status == .ok && (short.object["warnings"] as? [String])?.first?.contains("dure 30 minutes") == true)

                // Deleting checks the version too; then the plage is gone.
                #expect(try await api.send(.delete, path, headers: [.ifMatch: newer]).status == .preconditionFailed)
                #expect(try await api.send(.delete, path).status == .noContent)
                #expect(try await api.send(.get, path).status == .notFound)
                #expect(try await api.send(.delete, path).status == .notFound)
            }
        }
    }

    @Test func anInvalidPlageGetsTheFormsFrenchMessagesAndWritesNothing() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let (token, _) = try await tokens(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let plages = { try await api.get("/plages").items.count }
                let before = try await plages()
                let base: [String: Any] = [
                    "lieu_id": a.targets.lieuID.uuidString, "motif_ids": [a.targets.motifID.uuidString], "first_day": "2030-02-04",
                    "start_time": "09:00", "end_time": "10:00",
                ]
                let cases: [([String: Any], [String: String])] = [
                    (["first_day": "demain"], ["first_day": "Le premier jour doit être une date (AAAA-MM-JJ)."]),
                    (["start_time": "11:00"], ["start_time": "L’heure de fin doit suivre l’heure de début."]),
                    (["end_time": "10h"], ["start_time": "Les heures s’écrivent HH:MM."]),
                    (["recurrence": ["kind": "weekly"]], ["recurrence": "Choisissez les jours de la semaine."]),
                    (["recurrence": ["kind": "weekly", "weekdays": [1], "interval": 6]], ["recurrence": "Une série hebdomadaire revient toutes les 1 à 4 semaines."]),
                    (["recurrence": ["kind": "monthly", "ordinal": 5, "weekday": 2]], ["recurrence": "Choisissez le rang et le jour du mois (par exemple le 2e mardi)."]),
                    (["recurrence": ["kind": "chaque jour"]], ["recurrence": "Choisissez une répétition."]),
                    (["recurrence": ["kind": "weekly", "weekdays": [1], "until": "2030-01-01"]], ["recurrence": "La date de fin précède le premier jour."]),
                    (["recurrence": ["kind": "weekly", "weekdays": [true]]], ["recurrence": "recurrence.weekdays : attendu une liste de nombres entiers (1 = lundi … 7 = dimanche)."]),
                    (["motif_ids": []], ["motif_ids": "Choisissez au moins un motif."]),
                    (["motif_ids": ["pas un identifiant"]], ["motif_ids": "Attendu : une liste d’identifiants (UUID)."]),
                ]
                for (change, expected) in cases {
                    let response = try await api.post("/plages", jsonText(base.merging(change) { $1 }))
                    #expect(response.status == .unprocessableContent && response.isProblem, "\(change): \(response.text)")
                    #expect(fields(response) == expected, "\(change): \(response.text)")
                }
                let foreign = try await api.post("/plages", jsonText(base.merging(["lieu_id": UUID().uuidString]) { $1 }))
                #expect(foreign.status == .unprocessableContent && foreign.object["code"] as? String == "foreign_lieu_or_motif")
                #expect(try await plages() == before, "nothing was written")

                // A change that breaks the rules leaves the plage as it was.
                let path = "/api/v1/plages/\(a.targets.plageID)"
                let etag = try #require(try await api.send(.get, path).headers[.eTag])
                let wrong = try await api.send(.patch, path, json: jsonText(["start_time": "13:00"]), headers: [.ifMatch: etag])
                #expect(wrong.status == .unprocessableContent && fields(wrong) == ["start_time": "L’heure de fin doit suivre l’heure de début."])
                let unknownMotif = try await api.send(.patch, path, json: jsonText(["motif_ids": [UUID().uuidString]]), headers: [.ifMatch: etag])
                #expect(unknownMotif.status == .unprocessableContent)
                #expect(try await api.send(.get, path).headers[.eTag] == etag)
                // Another agent's plage (the chief's token sees it, yet only its owner changes it).
                let chief = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                #expect(try await chief.send(.get, path).status == .ok)
                #expect(try await chief.send(.patch, path, json: jsonText(["end_time": "12:30"])).status == .notFound)
                #expect(try await chief.send(.delete, path).status == .notFound)
                #expect(try await api.send(.get, path).headers[.eTag] == etag)
            }
        }
    }

    @Test func aUsagerIsChangedWithTheRecordsChecks() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let (token, readToken) = try await tokens(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let path = "/api/v1/usagers/\(a.targets.usagerID)"
                let read = try await api.send(.get, path)
                let etag = try #require(read.headers[.eTag])

                let invalid = try await api.send(.patch, path, json: jsonText(["email": "pas-une-adresse", "first_name": "Jeanne"]), headers: [.ifMatch: etag])
                #expect(invalid.status == .unprocessableContent && invalid.isProblem && fields(invalid) == ["email": "L’adresse électronique n’est pas valide."])
                let badPhone = try await api.send(.patch, path, json: jsonText(["phone": "12"]))
                #expect(fields(badPhone) == ["phone": "Le numéro de téléphone n’est pas un numéro français valide (par exemple 06 12 34 56 78)."])
                let noName = try await api.send(.patch, path, json: jsonText(["last_name": ""]))
                #expect(fields(noName) == ["last_name": "Le nom est obligatoire (100 caractères au plus)."])
                let longAddress = try await api.send(.patch, path, json: jsonText(["address": String(repeating: "rue ", count: 80)]))
                #expect(fields(longAddress) == ["address": "L’adresse postale compte 300 caractères au plus."])
                let notText = try await api.send(.patch, path, json: jsonText(["birth_date": 2020]))
                #expect(notText.status == .unprocessableContent && fields(notText)["birth_date"] != nil)
                let unchanged = try await api.send(.get, path)
                #expect(unchanged.headers[.eTag] == etag && unchanged.object["first_name"] as? String == "Usager", "nothing changed")

                let reader = try await APIClient(app: app, host: a.host, token: readToken).send(.patch, path, json: jsonText(["first_name": "Jeanne"]))
                #expect(reader.status == .forbidden && reader.object["code"] as? String == "insufficient_scope")

                let changed = try await api.send(.patch, path, json: jsonText([
                    "first_name": "Jeanne", "phone": "07 11 22 33 44", "email": "jeanne@exemple.fr", "birth_date": "1990-05-17",
                    "address": " 3 rue Haute\n62000 Arras ",
                ]), headers: [.ifMatch: etag])
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(changed.object["address"] as? String == "3 rue Haute, 62000 Arras", "one line, as the record shows it")
                #expect(changed.object["first_name"] as? String == "Jeanne" && changed.object["last_name"] as? String == "Alpha")
                #expect(changed.object["phone"] as? String == "+33711223344" && changed.object["email"] as? String == "jeanne@exemple.fr")
                #expect(changed.object["relative_ids"] as? [String] == [a.targets.relativeID.uuidString.lowercased()])
                let newer = try #require(changed.headers[.eTag])
                let reread = try await api.send(.get, path).headers[.eTag]
                #expect(newer == reread)
                #expect(try await api.send(.patch, path, json: jsonText(["first_name": "Autre"]), headers: [.ifMatch: etag]).status == .preconditionFailed)
                // null clears an optional field; the record page shows what the API wrote.
                let cleared = try await api.send(.patch, path, json: jsonText(["email": NSNull(), "birth_date": NSNull()]), headers: [.ifMatch: newer])
                #expect(cleared.status == .ok && cleared.object["email"] is NSNull && cleared.object["birth_date"] is NSNull)
                #expect(cleared.object["address"] as? String == "3 rue Haute, 62000 Arras", "a field left out keeps its value")
                let page = try await a.signedIn(a.agent, app).get("/usagers/\(a.targets.usagerID)")
                #expect(page.text.contains("Jeanne Alpha") && page.text.contains("+33711223344") && !page.text.contains("jeanne@exemple.fr"))
                #expect(page.text.contains("value=\"3 rue Haute, 62000 Arras\""))
                let noAddress = try await api.send(.patch, path, json: jsonText(["address": NSNull()]))
                #expect(noAddress.status == .ok && noAddress.object["address"] is NSNull)
                #expect(try await api.send(.patch, "/api/v1/usagers/\(UUID())", json: jsonText(["first_name": "Personne"])).status == .notFound)
                // A record created with its address; too long an address creates nothing.
                let created = try await api.send(.post, "/api/v1/usagers", json: jsonText(["first_name": "Lou", "last_name": "Adresse", "address": "8 rue Basse, Lens"]))
                #expect(created.status == .created && created.object["address"] as? String == "8 rue Basse, Lens", "\(created.text)")
                let tooLong = try await api.send(.post, "/api/v1/usagers", json: jsonText(["first_name": "Lou", "last_name": "Longue", "address": String(repeating: "x", count: 301)]))
                #expect(fields(tooLong) == ["address": "L’adresse postale compte 300 caractères au plus."])
                let withoutAddress = try await api.send(.post, "/api/v1/usagers", json: jsonText(["first_name": "Lou", "last_name": "Sans"]))
                #expect(withoutAddress.status == .created && withoutAddress.object["address"] is NSNull)
            }
        }
    }
}
