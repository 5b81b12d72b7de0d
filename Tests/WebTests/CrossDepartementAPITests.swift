import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport

/// One API request of a cross-département probe.
struct APIProbe: Sendable {
    let probe: CrossProbe
    let method: HTTPRequest.Method
    let body: String?

    init(_ method: HTTPRequest.Method, _ pattern: String, _ path: String, _ body: [String: Any]? = nil, allowed: Set<Int> = [404]) {
        self.method = method
        self.body = body.map(jsonText)
        self.probe = CrossProbe(route: "\(method.rawValue) /api/v1\(pattern)", path: "/api/v1\(path)", form: nil, allowed: allowed)
    }
}

/// The API of département A from B's side: B's token is worthless on A's host, and A's own
/// token, naming B's ids, finds nothing, changes nothing of B's and shows none of B's data.
@Suite struct CrossDepartementAPITests {
    static func probes(mine a: CrossTargets, theirs b: CrossTargets) -> [APIProbe] {
        // A month ahead: within the dates an appointment may take.
        let slot = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
        let bodyNamingB: [String: Any] = [
            "motif_id": b.motifID.uuidString, "lieu_id": b.lieuID.uuidString, "agent_id": b.agentID.uuidString,
            "starts_at": slot, "usager_id": b.usagerID.uuidString,
        ]
        return [
            // Nothing to aim at: A's data only.
            APIProbe(.get, "/me", "/me", allowed: [200]),
            APIProbe(.get, "/organisations", "/organisations", allowed: [200]),
            APIProbe(.get, "/motifs", "/motifs?organisation_id=\(b.organisationID)", allowed: [200]),
            APIProbe(.get, "/lieux", "/lieux?organisation_id=\(b.organisationID)", allowed: [200]),
            APIProbe(.get, "/agents", "/agents?organisation_id=\(b.organisationID)", allowed: [200]),
            APIProbe(.get, "/usagers", "/usagers?q=Usager", allowed: [200]),
            APIProbe(.get, "/rdvs", "/rdvs?agent_id=\(b.agentID)", allowed: [200]),
            APIProbe(.get, "/rdvs", "/rdvs?motif_id=\(b.motifID)&organisation_id=\(b.organisationID)", allowed: [200]),
            // B's ids.
            APIProbe(.get, "/usagers/{id}", "/usagers/\(b.usagerID)"),
            APIProbe(.get, "/rdvs/{id}", "/rdvs/\(b.rdvID)"),
            APIProbe(.patch, "/rdvs/{id}", "/rdvs/\(b.rdvID)", ["notes": "Intrus"]),
            APIProbe(.post, "/rdvs/{id}/move", "/rdvs/\(b.rdvID)/move", ["starts_at": slot]),
            APIProbe(.post, "/rdvs/{id}/cancel", "/rdvs/\(b.rdvID)/cancel", [:]),
            APIProbe(.put, "/rdvs/{id}/status", "/rdvs/\(b.rdvID)/status", ["status": "seen"]),
            APIProbe(.post, "/rdvs", "/rdvs", bodyNamingB),
            APIProbe(.post, "/rdvs", "/rdvs", bodyNamingB.merging(["usager_id": a.usagerID.uuidString, "agent_id": a.agentID.uuidString]) { $1 }),
            APIProbe(.get, "/slots", "/slots?motif_id=\(b.motifID)"),
            APIProbe(.post, "/holds", "/holds", ["motif_id": b.motifID.uuidString, "lieu_id": b.lieuID.uuidString, "agent_id": b.agentID.uuidString, "starts_at": slot]),
            APIProbe(.get, "/holds/{id}", "/holds/\(b.holdID)"),
            APIProbe(.delete, "/holds/{id}", "/holds/\(b.holdID)"),
            APIProbe(.get, "/services", "/services", allowed: [200]),
            APIProbe(.get, "/plages", "/plages?agent_id=\(b.agentID)"),
            APIProbe(.get, "/plages", "/plages", allowed: [200]),
            APIProbe(.get, "/plages/{id}", "/plages/\(b.plageID)"),
            APIProbe(.get, "/absences", "/absences?agent_id=\(b.agentID)"),
            APIProbe(.delete, "/absences/{id}", "/absences/\(b.absenceID)"),
            APIProbe(.post, "/rdvs/{id}/participants", "/rdvs/\(b.collectiveRdvID)/participants", ["usager_id": a.usagerID.uuidString]),
            APIProbe(.post, "/rdvs/{id}/participants", "/rdvs/\(a.collectiveRdvID)/participants", ["usager_id": b.usagerID.uuidString]),
            APIProbe(.put, "/rdvs/{id}/participants/{usager}/status", "/rdvs/\(b.collectiveRdvID)/participants/\(b.usagerID)/status", ["status": "seen"]),
            // Plages, usagers and webhooks: B's ids, B's lieu, motif and organisation in bodies.
            APIProbe(.post, "/plages", "/plages", [
                "lieu_id": b.lieuID.uuidString, "motif_ids": [b.motifID.uuidString], "first_day": "2030-02-04", "start_time": "14:00", "end_time": "15:00",
            ], allowed: [422]),
            APIProbe(.post, "/plages", "/plages", [
                "lieu_id": a.lieuID.uuidString, "motif_ids": [b.motifID.uuidString], "first_day": "2030-02-04", "start_time": "14:00", "end_time": "15:00",
            ], allowed: [422]),
            APIProbe(.patch, "/plages/{id}", "/plages/\(b.plageID)", ["end_time": "17:00"]),
            APIProbe(.delete, "/plages/{id}", "/plages/\(b.plageID)"),
            APIProbe(.patch, "/usagers/{id}", "/usagers/\(b.usagerID)", ["first_name": "Intrus"]),
            APIProbe(.get, "/webhook_endpoints", "/webhook_endpoints", allowed: [200]),
            APIProbe(.post, "/webhook_endpoints", "/webhook_endpoints", [
                "organisation_id": b.organisationID.uuidString, "url": "http://127.0.0.1:9/intrus", "models": ["rdv"],
            ], allowed: [422]),
            APIProbe(.get, "/webhook_endpoints/{id}", "/webhook_endpoints/\(b.webhookEndpointID)"),
            APIProbe(.patch, "/webhook_endpoints/{id}", "/webhook_endpoints/\(b.webhookEndpointID)", ["description": "Intrus"]),
            APIProbe(.delete, "/webhook_endpoints/{id}", "/webhook_endpoints/\(b.webhookEndpointID)"),
            APIProbe(.post, "/webhook_endpoints/{id}/rotate_secret", "/webhook_endpoints/\(b.webhookEndpointID)/rotate_secret"),
            APIProbe(.get, "/webhook_endpoints/{id}/deliveries", "/webhook_endpoints/\(b.webhookEndpointID)/deliveries"),
            APIProbe(.post, "/webhook_endpoints/{id}/deliveries/{delivery_id}/replay", "/webhook_endpoints/\(b.webhookEndpointID)/deliveries/\(b.webhookDeliveryID)/replay"),
            APIProbe(.post, "/webhook_endpoints/{id}/deliveries/{delivery_id}/replay", "/webhook_endpoints/\(a.webhookEndpointID)/deliveries/\(b.webhookDeliveryID)/replay"),
            APIProbe(.post, "/webhook_endpoints/{id}/resend_all", "/webhook_endpoints/\(b.webhookEndpointID)/resend_all"),
            // Exports: A's own RDVs and usagers; B's organisation and motif do not exist here.
            APIProbe(.get, "/exports/rdvs", "/exports/rdvs", allowed: [200]),
            APIProbe(.get, "/exports/usagers", "/exports/usagers", allowed: [200]),
            APIProbe(.get, "/exports/rdvs", "/exports/rdvs?organisation_id=\(b.organisationID)", allowed: [422]),
            APIProbe(.get, "/exports/usagers", "/exports/usagers?motif_id=\(b.motifID)", allowed: [422]),
            // A create of A's own, to show the token writes here and nowhere else.
            APIProbe(.post, "/absences", "/absences", ["title": "Formation", "first_day": "2030-02-04", "start_time": "14:00", "end_time": "15:00"], allowed: [201]),
            APIProbe(.post, "/usagers", "/usagers", ["first_name": "Créé", "last_name": "Ici"], allowed: [201]),
        ]
    }

    @Test func theAPIOfADepartementKnowsNothingOfAnother() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            try await world.withLiveApp { app in
                let before = try await SchemaSnapshot.take(world, b.tenant)
                let mine = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                let theirs = APIClient(app: app, host: a.host, token: b.targets.apiToken)
                for probe in Self.probes(mine: a.targets, theirs: b.targets) {
                    let sent = Set(probe.probe.path.split(whereSeparator: { "/?&=".contains($0) }).map(String.init))
                    // A's token, B's ids.
                    let response = try await mine.send(probe.method, probe.probe.path, json: probe.body)
                    let status = Int(response.status.code)
                    #expect(probe.probe.allowed.contains(status), "A's token: \(probe.method) \(probe.probe.path) answered \(status)")
                    #expect(status == 201 || status == 200 || response.isProblem, "\(probe.probe.path) refuses in problem+json")
                    #expect(!b.isSeen(in: response.text, sent: Array(sent)), "A's token: \(probe.probe.path) shows data of Bravo")
                    // B's token on A's host: worthless, whatever it asks.
                    let foreign = try await theirs.send(probe.method, probe.probe.path, json: probe.body)
                    #expect(foreign.status == .unauthorized && foreign.isProblem, "B's token: \(probe.probe.path) answered \(foreign.status.code)")
                    #expect(!b.isSeen(in: foreign.text, sent: Array(sent)) && !a.isSeen(in: foreign.text, sent: Array(sent)))
                }
                try await b.expectUnchanged(since: before, world)
                // B's token works on B's host: it was refused for where it was sent, not for itself.
                let home = APIClient(app: app, host: b.host, token: b.targets.apiToken)
                #expect(try await home.get("/rdvs/\(b.targets.rdvID)").status == .ok)
                // And A's token reads A's own: the 404s above were B's ids.
                #expect(try await mine.get("/rdvs/\(a.targets.rdvID)").status == .ok)
                #expect(try await mine.get("/holds/\(a.targets.holdID)").status == .ok)
                let listed = try await mine.get("/rdvs?organisation_id=\(a.targets.organisationID)").items
                #expect(listed.contains { $0["id"] as? String == a.targets.rdvID.uuidString.lowercased() })
            }
        }
    }
}
