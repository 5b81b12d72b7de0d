import Agenda
import Foundation
import HTTPTypes
import Identity
import PostgresNIO
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Appointments through the API, with the rules of the pages: holds, idempotent creates,
/// no double booking, ETags, cursors, French problems.
@Suite struct APIRdvTests {
    /// A write token of the fixture's plain agent.
    private func agentToken(_ world: TestWorld, _ a: CrossDepartement, name: String = "Logiciel partenaire") async throws -> String {
        try await world.database.tenant(a.tenant).transaction {
            try await APITokenRepository($0).create(agentID: a.agent.id, name: name, scopes: [.read, .write], days: 30).secret
        }
    }

    @Test func aPartnerHoldsASlotThenBooksItOnceWhateverTheRetries() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let token = try await agentToken(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let chief = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                let slots = try await api.get("/slots?motif_id=\(a.targets.motifID)&lieu_id=\(a.targets.lieuID)&limit=10").items
                let slot = try #require(slots.first)
                let start = try #require(slot["starts_at"] as? String)
                // Times carry the département's offset (a test département may be overseas).
                let iso = ISO8601DateFormatter()
                iso.timeZone = TimeZone(identifier: a.tenant.timeZone)
                #expect(iso.date(from: start).map(iso.string(from:)) == start, "times carry the département's offset: \(start) in \(a.tenant.timeZone)")
                let spot: [String: Any] = [
                    "motif_id": a.targets.motifID.uuidString, "lieu_id": a.targets.lieuID.uuidString,
                    "agent_id": try #require(slot["agent_id"] as? String), "starts_at": start,
                ]
                let held = try await api.post("/holds", jsonText(spot))
                #expect(held.status == .created)
                let holdID = try #require(held.object["id"] as? String)
                #expect(held.headers[.location] == "/api/v1/holds/\(holdID)")
                // Held: nobody sees it free, nobody can book it, not even the chief.
                let after = try await api.get("/slots?motif_id=\(a.targets.motifID)&lieu_id=\(a.targets.lieuID)&limit=10").items
                #expect(!after.contains { $0["starts_at"] as? String == start && $0["agent_id"] as? String == slot["agent_id"] as? String })
                #expect(try await chief.post("/holds", jsonText(spot)).status == .conflict)
                let taken = try await chief.post("/rdvs", jsonText(spot.merging(["usager_id": a.targets.usagerID.uuidString]) { $1 }))
                #expect(taken.status == .conflict && taken.isProblem)
                #expect(taken.object["code"] as? String == "slot_taken")
                let nearest = taken.object["nearest_slots"] as? [[String: Any]] ?? []
                #expect(!nearest.isEmpty && !nearest.contains { $0["starts_at"] as? String == start })

                // The partner books with its hold; a retry with the same key gets the same answer.
                let booking = jsonText(spot.merging(["hold_id": holdID, "usager": ["first_name": "Jeanne", "last_name": "Partenaire", "phone": "06 12 34 56 78"]]) { $1 })
                let key: HTTPFields = [.init("Idempotency-Key")!: "commande-42"]
                let created = try await api.post("/rdvs", booking, headers: key)
                #expect(created.status == .created)
                let rdvID = try #require(created.object["id"] as? String)
                #expect(created.object["created_by"] as? String == "api")
                #expect(created.headers[.location] == "/api/v1/rdvs/\(rdvID)")
                let retried = try await api.post("/rdvs", booking, headers: key)
                #expect(retried.status == .created && retried.object["id"] as? String == rdvID)
                #expect(retried.headers[.init("Idempotent-Replayed")!] == "true")
                let reused = try await api.post("/rdvs", jsonText(spot.merging(["usager_id": a.targets.usagerID.uuidString]) { $1 }), headers: key)
                #expect(reused.status == .unprocessableContent && reused.object["code"] as? String == "idempotency_key_reused")
                #expect(try await api.get("/holds/\(holdID)").status == .notFound, "the booking took its hold")
                // A second booking of the same time is refused: one appointment only.
                let again = try await chief.post("/rdvs", jsonText(spot.merging(["usager_id": a.targets.usagerID.uuidString]) { $1 }))
                #expect(again.status == .conflict)

                let id = try #require(UUID(uuidString: rdvID))
                let (count, messages, usagers) = try await world.database.tenant(a.tenant).transaction { connection in
                    (
                        try await connection.query("SELECT count(*)::int FROM rdv_agents WHERE during @> \(try #require(ISO8601DateFormatter().date(from: start)))::timestamptz AND active").collect()[0].decode(Int.self),
                        try await connection.query("SELECT count(*)::int FROM messages WHERE rdv_id = \(id)").collect()[0].decode(Int.self),
                        try await connection.query("SELECT count(*)::int FROM usagers WHERE last_name = 'Partenaire'").collect()[0].decode(Int.self)
                    )
                }
                #expect(count == 1 && usagers == 1)
                #expect(messages >= 1, "the usager is told, as for an agent's booking")
                // The appointment's page says who made it.
                let page = try await a.signedIn(a.agent, app).get("/rdv/\(rdvID)")
                #expect(page.text.contains("Par l’API (Logiciel partenaire)"))
            }
        }
    }

    @Test func writesCheckTheVersionTheClientRead() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let token = try await agentToken(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let path = "/api/v1/rdvs/\(a.targets.rdvID)"
                let read = try await api.send(.get, path)
                let etag = try #require(read.headers[.eTag])
                #expect(try await api.send(.get, path, headers: [.ifNoneMatch: etag]).status == .notModified)
                let stale = try await api.send(.patch, path, json: jsonText(["notes": "Écrasé"]), headers: [.ifMatch: "\"0000\""])
                #expect(stale.status == .preconditionFailed && stale.object["code"] as? String == "stale_write")
                #expect(try await api.send(.get, path).object["notes"] as? String == "")
                let written = try await api.send(.patch, path, json: jsonText(["notes": "Vient avec sa fille"]), headers: [.ifMatch: etag])
                #expect(written.status == .ok && written.object["notes"] as? String == "Vient avec sa fille")
                let newer = try #require(written.headers[.eTag])
                #expect(newer != etag)
                // The old version is stale now.
                #expect(try await api.send(.post, path + "/cancel", headers: [.ifMatch: etag]).status == .preconditionFailed)

                let ten = ISO8601DateFormatter().string(from: a.clock.instant(a.targets.occurrenceDay, LocalTime("08:00")!))
                let moved = try await api.send(.post, path + "/move", json: jsonText(["starts_at": ten]), headers: [.ifMatch: newer])
                #expect(moved.status == .ok, "\(moved.text)")
                let movedStart = try #require((moved.object["starts_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
                #expect(movedStart == a.clock.instant(a.targets.occurrenceDay, LocalTime("08:00")!))
                let far = try await api.send(.post, path + "/move", json: jsonText(["starts_at": "2099-01-05T10:00:00+01:00"]))
                #expect(far.status == .unprocessableContent && far.object["code"] as? String == "start_out_of_range")
                let status = try await api.send(.put, path + "/status", json: jsonText(["status": "perdu"]))
                #expect(status.status == .unprocessableContent && (status.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "status")
                let cancelled = try await api.send(.post, path + "/cancel", json: jsonText(["reason": "excused"]))
                #expect(cancelled.status == .ok && cancelled.object["status"] as? String == "excused")
                let listed = try await api.get("/rdvs?status=excused").items.compactMap { $0["id"] as? String }
                #expect(listed == [a.targets.rdvID.uuidString.lowercased()])
            }
        }
    }

    @Test func listingsPageThroughCursorsAndLinks() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let token = try await agentToken(world, a)
            let base = a.clock.instant(a.targets.occurrenceDay.adding(days: 14), LocalTime("08:00")!)
            try await world.database.tenant(a.tenant).transaction { connection in
                for index in 0..<5 {
                    let start = base.addingTimeInterval(Double(index) * 3600)
                    _ = try await RdvRepository(connection).book(NewRdv(
                        motifID: a.targets.motifID, lieuID: a.targets.lieuID, start: start, end: start.addingTimeInterval(1800),
                        agentIDs: [a.agent.id], usagerIDs: [a.targets.usagerID]
                    ))
                }
            }
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                var path: String? = "/api/v1/rdvs?agent_id=\(a.agent.id)&limit=2"
                var seen: [String] = []
                var pages = 0
                while let next = path, pages < 10 {
                    let response = try await api.send(.get, next)
                    #expect(response.status == .ok)
                    seen += response.items.compactMap { $0["id"] as? String }
                    pages += 1
                    path = response.headers[.init("Link")!].flatMap { $0.firstMatch(of: /<([^>]+)>; rel="next"/).map { String($0.output.1) } }
                    #expect((path != nil) == !(response.object["next_cursor"] is NSNull))
                }
                let total = try await world.database.tenant(a.tenant).transaction { connection in
                    try await connection.query("SELECT count(DISTINCT rdv_id)::int FROM rdv_agents WHERE agent_id = \(a.agent.id)").collect()[0].decode(Int.self)
                }
                #expect(seen.count == total && Set(seen).count == total, "every appointment once")
                #expect(pages == (total + 1) / 2)
                let bad = try await api.get("/rdvs?cursor=nimporte&status=perdu&from=hier")
                #expect(bad.status == .badRequest && bad.isProblem)
                let fields = Set((bad.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["cursor", "status", "from"])
            }
        }
    }

    @Test func badRequestsGetFrenchProblemsAndWriteNothing() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let token = try await agentToken(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let before = try await SchemaSnapshot.take(world, a.tenant)
                let garbled = try await api.send(.post, "/api/v1/rdvs", json: "{pas du json")
                #expect(garbled.status == .badRequest && garbled.isProblem)
                let plain = try await api.send(.post, "/api/v1/rdvs", json: "{}", headers: [.contentType: "text/plain"])
                #expect(plain.status == .unsupportedMediaType)
                let empty = try await api.post("/rdvs", "{}")
                #expect(empty.status == .unprocessableContent && empty.object["title"] as? String == "Données invalides")
                let fields = Set((empty.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["motif_id", "lieu_id", "agent_id", "starts_at", "usager_id"])
                let badUsager = try await api.post("/rdvs", jsonText([
                    "motif_id": a.targets.motifID.uuidString, "lieu_id": a.targets.lieuID.uuidString, "agent_id": a.agent.id.uuidString,
                    "starts_at": "2030-01-07T11:30:00+01:00", "usager": ["first_name": "Jeanne", "last_name": "", "phone": "123"],
                ]))
                let usagerFields = Set((badUsager.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(badUsager.status == .unprocessableContent && usagerFields == ["usager.last_name", "usager.phone"])
                let unknown = try await api.get("/nulle-part")
                #expect(unknown.status == .notFound && unknown.isProblem)
                // Calls are logged in the trail; nothing else was written.
                let changed = try await SchemaSnapshot.take(world, a.tenant).changes(since: before)
                #expect(changed.allSatisfy { ["api_calls", "api_tokens"].contains($0) }, "changed: \(changed)")
            }
        }
    }

    @Test func agendasReadAndChangeThroughTheAPI() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let token = try await agentToken(world, a)
            try await world.withLiveApp { app in
                let api = APIClient(app: app, host: a.host, token: token)
                let plages = try await api.get("/plages").items
                let plage = try #require(plages.first { $0["id"] as? String == a.targets.plageID.uuidString.lowercased() })
                #expect((plage["recurrence"] as? [String: Any])?["kind"] as? String == "weekly")
                #expect((plage["recurrence"] as? [String: Any])?["weekdays"] as? [Int] == [1])
                #expect(plage["start_time"] as? String == "09:00" && plage["motif_ids"] as? [String] == [a.targets.motifID.uuidString.lowercased()])
                #expect(try await api.get("/plages/\(a.targets.plageID)").status == .ok)
                #expect(try await api.get("/services").items.contains { $0["id"] as? String == a.targets.serviceID.uuidString.lowercased() })

                let wrong = try await api.post("/absences", jsonText(["first_day": "2030-02-04", "start_time": "15:00", "end_time": "14:00", "recurrence": ["kind": "weekly"]]))
                let fields = Set((wrong.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(wrong.status == .unprocessableContent && fields == ["start_time", "recurrence"])
                let made = try await api.post("/absences", jsonText([
                    "title": "Formation", "first_day": "2030-02-04", "start_time": "14:00", "end_time": "16:00",
                    "recurrence": ["kind": "weekly", "interval": 2, "weekdays": [1, 3], "until": "2030-06-30"],
                ]))
                #expect(made.status == .created)
                let absenceID = try #require(made.object["id"] as? String)
                #expect((made.object["recurrence"] as? [String: Any])?["weekdays"] as? [Int] == [1, 3])
                #expect(try await api.get("/absences").items.contains { $0["id"] as? String == absenceID })
                #expect(try await api.send(.delete, "/api/v1/absences/\(absenceID)").status == .noContent)
                #expect(try await api.send(.delete, "/api/v1/absences/\(absenceID)").status == .notFound)

                // The collective session has 3 seats and 2 participants: one more, then it is full.
                let session = "/rdvs/\(a.targets.collectiveRdvID)"
                let joined = try await api.post(session + "/participants", jsonText(["usager_id": a.targets.usagerID.uuidString]))
                #expect(joined.status == .ok && (joined.object["participants"] as? [Any])?.count == 3)
                let full = try await api.post(session + "/participants", jsonText(["usager": ["first_name": "Une", "last_name": "De trop"]]))
                #expect(full.status == .conflict && full.object["code"] as? String == "full")
                let seen = try await api.send(.put, "/api/v1" + session + "/participants/\(a.targets.usagerID)/status", json: jsonText(["status": "seen"]))
                let statuses = (seen.object["participants"] as? [[String: Any]] ?? []).filter { $0["usager_id"] as? String == a.targets.usagerID.uuidString.lowercased() }
                #expect(seen.status == .ok && statuses.first?["status"] as? String == "seen")
                let stranger = try await api.send(.put, "/api/v1" + session + "/participants/\(a.targets.relativeID)/status", json: jsonText(["status": "seen"]))
                #expect(stranger.status == .notFound, "the relative takes no part in this session")
            }
        }
    }
}
