import Agenda
import Booking
import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// A's agents, on A's host, aim every route that names an id at B's rows: each is not found
/// (or forbidden to a role that may not use the route at all), and nothing of B changes.
@Suite struct CrossDepartementAgentTests {
    /// Routes with an id in their path, aimed at B's ids (and a few at A's ids with B's in the form).
    /// `restricted` routes are for administrators: other roles may get 403 first.
    static func idProbes(mine a: CrossTargets, theirs b: CrossTargets) -> [(probe: CrossProbe, restricted: Bool)] {
        let day = b.occurrenceDay.description
        let span = ["first_day": day, "start": "13:00", "end": "14:00", "repeat": "once"]
        let motifForm = [
            "name": "Intrus", "service": b.serviceID.uuidString, "duration": "30", "location_type": "on_site", "bookable_by": "everyone",
            "minimum_hours": "0", "maximum_days": "90",
        ]
        let plain: [CrossProbe] = [
            .get("/rdv/{id}", "/rdv/\(b.rdvID)"),
            .get("/rdv/{id}", "/rdv/\(b.collectiveRdvID)"),
            .post("/rdv/{id}/participants", "/rdv/\(b.collectiveRdvID)/participants", ["first_name": "Intrus", "last_name": "Participant"]),
            .post("/rdv/{id}/participants", "/rdv/\(b.rdvID)/participants", ["first_name": "Intrus", "last_name": "Participant"]),
            .post("/rdv/{id}/statut", "/rdv/\(b.rdvID)/statut", ["status": "revoked"]),
            .post("/rdv/{id}/statut", "/rdv/\(b.collectiveRdvID)/statut", ["status": "excused"]),
            .post("/rdv/{id}/notes", "/rdv/\(b.rdvID)/notes", ["notes": "Intrus"]),
            .post("/rdv/{id}/liste-attente", "/rdv/\(b.rdvID)/liste-attente"),
            .post("/rdv/{id}/deplacer", "/rdv/\(b.rdvID)/deplacer", ["day": day, "time": "11:30"]),
            .post("/rdv/{id}/agents", "/rdv/\(b.rdvID)/agents", ["agent": b.adminID.uuidString]),
            .post("/rdv/{id}/agents", "/rdv/\(b.rdvID)/agents", ["agent": b.agentID.uuidString, "remove": "1"]),
            // A's appointment cannot take B's agent.
            .post("/rdv/{id}/agents", "/rdv/\(a.rdvID)/agents", ["agent": b.agentID.uuidString]),
            .get("/agenda/lieux/{id}/jour", "/agenda/lieux/\(b.lieuID)/jour?date=\(day)"),
            .post("/agenda/lieux/{id}/jour/{rdv}", "/agenda/lieux/\(b.lieuID)/jour/\(b.rdvID)", ["action": "absent", "date": day]),
            // A's lieu with B's appointment.
            .post("/agenda/lieux/{id}/jour/{rdv}", "/agenda/lieux/\(a.lieuID)/jour/\(b.rdvID)", ["action": "arrive", "date": day]),

            .get("/agenda/plages/{id}", "/agenda/plages/\(b.plageID)"),
            .post("/agenda/plages/{id}", "/agenda/plages/\(b.plageID)", span.merging(["lieu": b.lieuID.uuidString, "motif_\(b.motifID)": "on"]) { $1 }),
            // A's plage with B's lieu and motif: refused by its owner, not found by others.
            .post("/agenda/plages/{id}", "/agenda/plages/\(a.plageID)", span.merging(["lieu": b.lieuID.uuidString, "motif_\(b.motifID)": "on"]) { $1 },
                  allowed: [404, 422]),
            .post("/agenda/plages/{id}/fin", "/agenda/plages/\(b.plageID)/fin", ["last_day": day]),
            .get("/agenda/plages/{id}/occurrences/{day}", "/agenda/plages/\(b.plageID)/occurrences/\(day)"),
            .post("/agenda/plages/{id}/occurrences/{day}", "/agenda/plages/\(b.plageID)/occurrences/\(day)", ["day": day, "start": "10:00", "end": "11:00"]),
            .post("/agenda/plages/{id}/occurrences/{day}/annuler", "/agenda/plages/\(b.plageID)/occurrences/\(day)/annuler"),

            .get("/agenda/absences/{id}", "/agenda/absences/\(b.absenceID)"),
            .post("/agenda/absences/{id}", "/agenda/absences/\(b.absenceID)", span.merging(["title": "Intrus"]) { $1 }),
            .post("/agenda/absences/{id}/supprimer", "/agenda/absences/\(b.absenceID)/supprimer"),

            .get("/usagers/{id}", "/usagers/\(b.usagerID)"),
            .get("/usagers/{id}", "/usagers/\(b.relativeID)"),
            .post("/usagers/{id}/fusion", "/usagers/\(b.usagerID)/fusion", ["doublon": b.relativeID.uuidString]),
            // A's record cannot swallow B's.
            .post("/usagers/{id}/fusion", "/usagers/\(a.usagerID)/fusion", ["doublon": b.usagerID.uuidString]),
            .post("/usagers/{id}", "/usagers/\(b.usagerID)", ["first_name": "Intrus", "last_name": "Usager", "phone": "", "email": ""]),
            .post("/usagers/{id}/proches", "/usagers/\(b.usagerID)/proches", ["first_name": "Intrus", "last_name": "Proche"]),
            .post("/usagers/{id}/proches", "/usagers/\(b.relativeID)/proches", ["first_name": "Intrus", "last_name": "Proche"]),
            .post("/usagers/{id}/referents", "/usagers/\(b.usagerID)/referents", ["agent": b.adminID.uuidString]),
            .post("/usagers/{id}/referents", "/usagers/\(b.usagerID)/referents", ["agent": b.agentID.uuidString, "remove": "1"]),
            // A's usager cannot take B's agent as referent.
            .post("/usagers/{id}/referents", "/usagers/\(a.usagerID)/referents", ["agent": b.agentID.uuidString], allowed: [422]),

            .get("/organisation/motifs/{id}", "/organisation/motifs/\(b.motifID)"),
            .post("/organisation/motifs/{id}", "/organisation/motifs/\(b.motifID)", motifForm),
            .post("/organisation/motifs/{id}/archive", "/organisation/motifs/\(b.motifID)/archive", ["archived": "1"]),
            .get("/organisation/lieux/{id}", "/organisation/lieux/\(b.lieuID)"),
            .post("/organisation/lieux/{id}", "/organisation/lieux/\(b.lieuID)", ["name": "Intrus", "address": "1 rue Intruse", "phone": "", "status": "disabled"]),
            .post("/agents/{id}/role", "/agents/\(b.adminID)/role", ["role": "agent"]),
            .post("/agents/{id}/role", "/agents/\(b.agentID)/role", ["role": "admin"]),
        ]
        let restricted: [CrossProbe] = [
            // A's motif with B's service: the service does not exist here.
            .post("/organisation/motifs/{id}", "/organisation/motifs/\(a.motifID)", motifForm.merging(["name": "Consultation Alpha"]) { $1 }, allowed: [409]),
            .post("/notifications/{id}/reessayer", "/notifications/\(b.messageID)/reessayer"),
            .get("/usagers/{id}/acces", "/usagers/\(b.usagerID)/acces"),
            .get("/usagers/{id}/acces.csv", "/usagers/\(b.relativeID)/acces.csv"),
            .get("/secteurs/{id}", "/secteurs/\(b.sectorID)"),
            .post("/secteurs/{id}/zones", "/secteurs/\(b.sectorID)/zones", ["code": "62498", "commune": "Lens", "voie": ""]),
            .post("/secteurs/{id}/zones/retirer", "/secteurs/\(b.sectorID)/zones/retirer", ["zone": b.zoneID.uuidString]),
            // A's sector does not hold B's zone.
            .post("/secteurs/{id}/zones/retirer", "/secteurs/\(a.sectorID)/zones/retirer", ["zone": b.zoneID.uuidString]),
            .post("/secteurs/{id}/supprimer", "/secteurs/\(b.sectorID)/supprimer"),
            .get("/webhooks/{id}", "/webhooks/\(b.webhookEndpointID)"),
            .post("/webhooks/{id}", "/webhooks/\(b.webhookEndpointID)", [
                "organisation": a.organisationID.uuidString, "url": "http://127.0.0.1:9/intrus", "description": "Intrus", "model_lieu": "on", "editing": "1",
            ]),
            .post("/webhooks/{id}/secret", "/webhooks/\(b.webhookEndpointID)/secret"),
            .post("/webhooks/{id}/tout-renvoyer", "/webhooks/\(b.webhookEndpointID)/tout-renvoyer"),
            .post("/webhooks/{id}/envois/{delivery}/rejouer", "/webhooks/\(b.webhookEndpointID)/envois/\(b.webhookDeliveryID)/rejouer"),
            // A's endpoint does not hold B's delivery.
            .post("/webhooks/{id}/envois/{delivery}/rejouer", "/webhooks/\(a.webhookEndpointID)/envois/\(b.webhookDeliveryID)/rejouer"),
            .post("/webhooks/{id}/supprimer", "/webhooks/\(b.webhookEndpointID)/supprimer"),
            .post("/compte/jetons/{id}/revoquer", "/compte/jetons/\(b.apiTokenID)/revoquer"),
            // B's import of the day is no import here: nothing of B is undone.
            .post("/usagers/import/{id}/annuler", "/usagers/import/\(b.importID)/annuler"),
        ]
        // Closing a session by its handle only ever closes the agent's own: B's handle changes
        // nothing and the page comes back, as for a handle already closed.
        let session = CrossProbe.post("/compte/sessions/{handle}/fermer", "/compte/sessions/\(b.sessionHandle)/fermer", allowed: [303], location: "/compte")
        return plain.map { ($0, false) } + restricted.map { ($0, true) } + [(session, false)]
    }

    @Test func idsOfAnotherDepartementAreNotFound() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            let usagersOfA = try await usagerCount(world, a)
            try await world.withLiveApp { app in
                // B's chief signs in first: the handle of that session is one of B's targets.
                let theirs = try await b.withSecretsFromPages(try await b.signedIn(b.deptAdmin, app))
                let before = try await SchemaSnapshot.take(world, b.tenant)
                let probes = Self.idProbes(mine: a.targets, theirs: theirs.targets)
                var owner: Browser?
                for agent in [a.deptAdmin, a.admin, a.secretariat, a.agent] {
                    let browser = try await a.signedIn(agent, app)
                    for (probe, restricted) in probes {
                        let allowed = restricted && agent.role != .deptAdmin ? probe.allowed.union([403]) : probe.allowed
                        try await browser.send(probe.allowing(allowed), as: "A's \(agent.role.rawValue)", showingNothingOf: b)
                    }
                    // The browser is still signed in: nothing above ended its session.
                    #expect(try await browser.get("/agent").status == .ok)
                    if agent.id == a.agent.id { owner = browser }
                }
                try await b.expectUnchanged(since: before, world)
                #expect(try await usagerCount(world, a) == usagersOfA, "no participant or relative was created in A either")

                // The same requests aimed at A's own rows work: the 404s above were B's ids, not the forms.
                let agent = try #require(owner), day = a.targets.occurrenceDay
                #expect(try await agent.get("/agenda/plages/\(a.targets.plageID)/occurrences/\(day)").status == .ok)
                #expect(try await agent.post("/agenda/plages/\(a.targets.plageID)/occurrences/\(day)", ["day": day.description, "start": "10:00", "end": "11:00"]).status == .seeOther)
                #expect(try await agent.post("/agenda/plages/\(a.targets.plageID)/occurrences/\(day)/annuler", [:]).status == .seeOther)
                #expect(try await agent.post("/rdv/\(a.targets.collectiveRdvID)/participants", ["first_name": "Invitée", "last_name": "Alpha"]).status == .seeOther)
                #expect(try await agent.post("/usagers/\(a.targets.usagerID)/proches", ["first_name": "Cadet", "last_name": "Alpha"]).text.contains("Proche ajouté"))
            }
            // The three routes issue #10 names, read back in B's schema one by one.
            let (exceptions, seats, relatives) = try await world.database.tenant(b.tenant).transaction { [targets = b.targets] connection in
                (
                    try await connection.query("SELECT count(*)::int FROM plage_exceptions WHERE plage_id = \(targets.plageID)")
                        .decode(Int.self).first { _ in true },
                    try await RdvQueries(connection).seats(targets.collectiveRdvID),
                    try await UsagerRepository(connection).relatives(of: targets.usagerID).map(\.firstName)
                )
            }
            #expect(exceptions == 0, "B's occurrence neither moved nor cancelled")
            #expect(seats?.taken == 2 && seats?.capacity == 3, "B's session keeps its two participants")
            #expect(relatives == ["Proche"], "B's usager keeps their one relative")
        }
    }

    @Test func formsAndQueriesNamingAnotherDepartementsIdsTakeNoneOfThem() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            let before = try await SchemaSnapshot.take(world, b.tenant)
            try await world.withLiveApp { app in
                for agent in [a.deptAdmin, a.admin, a.secretariat, a.agent] {
                    let browser = try await a.signedIn(agent, app)
                    for (probe, restricted) in Self.fieldProbes(mine: a.targets, theirs: b.targets) {
                        let allowed = restricted && agent.role != .deptAdmin ? probe.allowed.union([403]) : probe.allowed
                        try await browser.send(probe.allowing(allowed), as: "A's \(agent.role.rawValue)", showingNothingOf: b)
                    }
                }
                let visitor = Browser(app: app, host: a.host)
                for probe in Self.publicFieldProbes(mine: a.targets, theirs: b.targets) {
                    try await visitor.send(probe, as: "a visitor of A", showingNothingOf: b)
                }
            }
            try await b.expectUnchanged(since: before, world)
            // The lieu form names B's organisation: the lieu lands in A's own.
            let intruder = try await world.database.tenant(a.tenant).transaction { connection in
                try await AgendaCatalog(connection).lieux(includingDisabled: true).first { $0.name == "Lieu intrus" }
            }
            #expect(intruder?.organisationID == a.targets.organisationID)
        }
    }

    /// Agent routes without an id in their path whose form or query names ids: B's.
    static func fieldProbes(mine a: CrossTargets, theirs b: CrossTargets) -> [(probe: CrossProbe, restricted: Bool)] {
        let identity = ["first_name": "Intrus", "last_name": "Rdv", "phone": "", "email": ""]
        let plain: [CrossProbe] = [
            .get("/agenda", "/agenda?agent=\(b.agentID)"),
            // B's ids in the list's filters match nothing; B's appointment among those to fill in is not found.
            .get("/rdv", "/rdv?agent=\(b.agentID)&lieu=\(b.lieuID)&motif=\(b.motifID)", allowed: [200]),
            .post("/rdv/renseigner", "/rdv/renseigner", ["rdv_\(b.rdvID)": "on", "issue": "noshow"]),
            .get("/creneaux", "/creneaux?motif=\(b.motifID)&usager=\(b.usagerID)"),
            // B's motif is simply not among the choices: the page searches nothing.
            .get("/creneaux", "/creneaux?motif=\(b.motifID)", allowed: [200]),
            .get("/rdv/nouveau", "/rdv/nouveau?motif=\(a.motifID)&agent=\(a.agentID)&lieu=\(a.lieuID)&debut=\(a.freeSlot)&usager=\(b.usagerID)"),
            // The form only carries the ids it is given to the booking, which checks them (below).
            .get("/rdv/nouveau", "/rdv/nouveau?motif=\(b.motifID)&agent=\(b.agentID)&lieu=\(b.lieuID)&debut=\(b.freeSlot)", allowed: [200]),
            .post("/rdv", "/rdv", identity.merging(["motif": b.motifID.uuidString, "agent": b.agentID.uuidString, "lieu": b.lieuID.uuidString, "debut": b.freeSlot]) { $1 }),
            .post("/rdv", "/rdv", identity.merging(["motif": b.motifID.uuidString, "agent": a.agentID.uuidString, "lieu": a.lieuID.uuidString, "debut": a.freeSlot]) { $1 }),
            .post("/rdv", "/rdv", identity.merging(["motif": a.motifID.uuidString, "agent": a.agentID.uuidString, "lieu": b.lieuID.uuidString, "debut": a.freeSlot]) { $1 }),
            .post("/rdv", "/rdv", ["motif": a.motifID.uuidString, "agent": a.agentID.uuidString, "lieu": a.lieuID.uuidString, "debut": a.freeSlot, "usager": b.usagerID.uuidString]),
            .post("/agenda/plages", "/agenda/plages", [
                "lieu": b.lieuID.uuidString, "motif_\(b.motifID)": "on", "first_day": b.occurrenceDay.description, "start": "13:00", "end": "14:00", "repeat": "once",
            ], allowed: [422]),
            .post("/agenda/plages", "/agenda/plages", [
                "lieu": a.lieuID.uuidString, "motif_\(b.motifID)": "on", "first_day": a.occurrenceDay.description, "start": "13:00", "end": "14:00", "repeat": "once",
            ], allowed: [422]),
        ]
        let restricted: [CrossProbe] = [
            // Another département's organisation is never one to manage: the page is one's own.
            .get("/organisation", "/organisation?id=\(b.organisationID)", allowed: [200]),
            .post("/organisation/agents-services", "/organisation/agents-services", ["organisation": b.organisationID.uuidString, "agent": b.agentID.uuidString, "service": b.serviceID.uuidString]),
            .post("/organisation/agents-services", "/organisation/agents-services", ["agent": a.agentID.uuidString, "service": b.serviceID.uuidString]),
            .post("/organisation/lieux", "/organisation/lieux", ["organisation": b.organisationID.uuidString, "name": "Lieu intrus", "address": "2 rue Intruse"], allowed: [200, 409]),
            .post("/organisation/motifs", "/organisation/motifs", ["organisation": b.organisationID.uuidString, "service": b.serviceID.uuidString, "name": "Motif intrus", "duration": "30"], allowed: [409]),
            .post("/agents/invitations", "/agents/invitations", [
                "organisation": b.organisationID.uuidString, "role": "agent", "email": "intrus@exemple.fr", "first_name": "Intrus", "last_name": "Agent",
            ], allowed: [422]),
            .post("/secteurs/attributions", "/secteurs/attributions", ["sector": b.sectorID.uuidString, "organisation": b.organisationID.uuidString]),
            .post("/secteurs/attributions", "/secteurs/attributions", ["sector": a.sectorID.uuidString, "organisation": b.organisationID.uuidString]),
            .post("/secteurs/attributions/retirer", "/secteurs/attributions/retirer", ["sector": b.sectorID.uuidString, "attribution": b.attributionID.uuidString]),
            .post("/secteurs/attributions/retirer", "/secteurs/attributions/retirer", ["sector": a.sectorID.uuidString, "attribution": b.attributionID.uuidString]),
            .get("/secteurs/tester", "/secteurs/tester?commune=\(b.communeCode)", allowed: [200]),
            // An export of B's organisation or motif: neither exists here, nothing is exported.
            .post("/exports", "/exports", ["donnees": "rdvs", "format": "csv", "organisation": b.organisationID.uuidString], allowed: [422]),
            .post("/exports", "/exports", ["donnees": "usagers", "format": "xlsx", "motif": b.motifID.uuidString], allowed: [422]),
            // An import naming B's agent as referent, or completing B's usager: neither is known here.
            .post("/usagers/import", "/usagers/import", ["csv": "nom;prenom;referent\nIntrus;Import;\(b.agentEmail)\n", "etape": "importer"], allowed: [422]),
            .post("/usagers/import", "/usagers/import", ["csv": "nom;prenom\nIntrus;Import\n", "etape": "importer", "ligne-2": "fiche-\(b.usagerID)"], allowed: [409]),
            // A webhook for B's organisation: there is no such organisation here.
            .post("/webhooks", "/webhooks", [
                "organisation": b.organisationID.uuidString, "url": "http://127.0.0.1:9/intrus", "description": "Intrus", "model_lieu": "on",
            ], allowed: [422]),
        ]
        return plain.map { ($0, false) } + restricted.map { ($0, true) }
    }

    /// Public routes without an id in their path whose form or query names ids: B's.
    static func publicFieldProbes(mine a: CrossTargets, theirs b: CrossTargets) -> [CrossProbe] {
        let details = ["pour": "moi", "prenom": "Intrus", "nom": "Visiteur", "telephone": "", "email": "intrus@exemple.fr"]
        let probes: [CrossProbe] = [
            // The flow ignores choices it does not offer and starts again from A's own.
            .get("/prendre-rdv", "/prendre-rdv?service=\(b.serviceID)&motif=\(b.motifID)&lieu=\(b.lieuID)", allowed: [200]),
            .get("/prendre-rdv/coordonnees", "/prendre-rdv/coordonnees?motif=\(b.motifID)&lieu=\(b.lieuID)&debut=\(b.freeSlot)"),
            .get("/prendre-rdv/coordonnees", "/prendre-rdv/coordonnees?motif=\(a.motifID)&lieu=\(b.lieuID)&debut=\(a.freeSlot)"),
            .post("/prendre-rdv", "/prendre-rdv", details.merging(["motif": b.motifID.uuidString, "lieu": b.lieuID.uuidString, "debut": b.freeSlot]) { $1 }),
            .post("/prendre-rdv", "/prendre-rdv", details.merging(["motif": a.motifID.uuidString, "lieu": b.lieuID.uuidString, "debut": a.freeSlot]) { $1 }),
            .post("/liste-attente", "/liste-attente", details.merging(["motif": b.motifID.uuidString]) { $1 }),
            .post("/liste-attente", "/liste-attente", details.merging(["motif": a.motifID.uuidString, "lieu": b.lieuID.uuidString]) { $1 }),
            .get("/adresse/voies", "/adresse/voies?commune=\(b.communeCode)&q=rue", allowed: [200]),
        ]
        // The CSRF token of a real booking form of A's.
        return probes.map { $0.form == nil ? $0 : $0.csrf(from: a.detailsPath) }
    }

    private func usagerCount(_ world: TestWorld, _ department: CrossDepartement) async throws -> Int {
        try await world.database.tenant(department.tenant).transaction { connection in
            try #require(try await connection.query("SELECT count(*)::int FROM usagers").decode(Int.self).first { _ in true })
        }
    }
}
