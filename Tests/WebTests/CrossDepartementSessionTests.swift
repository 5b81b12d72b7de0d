import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// Routes with nothing to aim at: A's pages show none of B's data, B's session cookies (an
/// agent's and a usager's) sign nobody in on A's host, and B's credentials open nothing there.
@Suite struct CrossDepartementSessionTests {
    /// A's pages without an id, for A's département administrator, usager and visitors.
    static func pageProbes(mine a: CrossTargets) -> (agent: [CrossProbe], usager: [CrossProbe], visitor: [CrossProbe]) {
        let agent: [CrossProbe] = [
            "/agent", "/agents", "/journal", "/compte", "/notifications", "/agenda", "/agenda?semaine=\(a.occurrenceDay)",
            "/agenda?semaine=\(a.occurrenceDay)&agent=\(a.agentID)", "/agenda/a-renseigner", "/agenda/plages/nouvelle",
            "/agenda/absences/nouvelle", "/creneaux", "/creneaux?motif=\(a.motifID)", "/usagers", "/usagers?q=Usager", "/usagers/import", "/usagers/import/modele.csv", "/rdv/nouveau",
            "/organisation", "/secteurs", "/secteurs/zones.csv", "/secteurs/tester", "/double-authentification", "/webhooks",
            "/compte/jetons", "/jetons-api", "/exports", "/donnees-personnelles", "/rdv", "/rdv?statut=a_renseigner",
        ].map { path in .get(String(path.prefix { $0 != "?" }), path, allowed: [200]) }
            + [.get("/connexion/verification", "/connexion/verification", allowed: [303], location: "/agent")]
        let usager: [CrossProbe] = ["/mon-compte", "/mon-compte/donnees", "/mon-compte/donnees.json"].map { .get($0, $0, allowed: [200]) }
        let visitor: [CrossProbe] = [
            "/", "/healthz", "/static/app.css", "/static/address.js", "/connexion", "/mot-de-passe-oublie", "/prendre-rdv",
            "/adresse/communes?q=ville", "/dev/courriels", "/mon-compte/connexion", "/mon-compte/inscription", "/mon-compte/mot-de-passe-oublie",
            "/api/v1/openapi.json", "/api/v1/openapi.yaml", "/api/v1/docs", "/confidentialite",
        ].map { path in .get(String(path.prefix { $0 != "?" }), path, allowed: [200]) }
        return (agent, usager, visitor)
    }

    @Test func pagesOfADepartementShowNoneOfAnothersData() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            try await world.withLiveApp { app in
                let chief = try await a.signedIn(a.deptAdmin, app)
                let usager = try await a.signedInUsager(app)
                let visitor = Browser(app: app, host: a.host)
                let pages = Self.pageProbes(mine: a.targets)
                var seen: [String: String] = [:]
                for (browser, who, probes) in [(chief, "A's chief", pages.agent), (usager, "A's usager", pages.usager), (visitor, "a visitor of A", pages.visitor)] {
                    for probe in probes {
                        seen[probe.path] = try await browser.send(probe, as: who, showingNothingOf: b).text
                    }
                }
                // The same pages do show A's own data: the searches above were not blind.
                for (path, own) in [
                    ("/usagers?q=Usager", "Usager Alpha"), ("/agenda?semaine=\(a.targets.occurrenceDay)&agent=\(a.targets.agentID)", "Usager Alpha"),
                    ("/organisation", "Lieu Alpha"), ("/secteurs", "Secteur Alpha"), ("/secteurs/zones.csv", "Alphaville"),
                    ("/notifications", "Refus Alpha"), ("/webhooks", "Webhook Alpha"), ("/jetons-api", "Logiciel Alpha"), ("/adresse/communes?q=ville", "Alphaville"), ("/", "Organisation Alpha"),
                    ("/prendre-rdv", "Consultation Alpha"), ("/mon-compte", "Consultation Alpha"), ("/mon-compte/donnees.json", "Alpha"),
                ] {
                    #expect(seen[path]?.contains(own) == true, "\(path) shows \(own)")
                }
                // And the search for B's data would find it where it is: on B's own pages.
                let theirChief = try await b.signedIn(b.deptAdmin, app)
                for path in ["/usagers?q=Usager", "/organisation", "/secteurs", "/notifications"] {
                    let page = try await theirChief.get(path).text
                    #expect(b.isSeen(in: page) && !a.isSeen(in: page), "B's \(path)")
                }
            }
        }
    }

    /// Routes without an id that change something, sent with B's cookies (or B's credentials).
    static func sessionProbes(theirs b: CrossTargets) -> [CrossProbe] {
        let signIn = "/connexion", usagerSignIn = "/mon-compte/connexion"
        let agentForms: [(String, [String: String])] = [
            ("/deconnexion", [:]), ("/compte/mot-de-passe", ["current": TestWorld.agentPassword, "password": "Intrus-phrase-de-passe-9", "confirmation": "Intrus-phrase-de-passe-9"]),
            ("/compte/avis", ["avis": "on"]), ("/compte/deconnexion-partout", [:]), ("/connexion/verification", ["code": "123456"]),
            ("/double-authentification/activation", ["code": "123456"]), ("/double-authentification/desactivation", ["code": "123456"]),
            ("/agenda/absences", ["first_day": "2030-01-07", "start": "09:00", "end": "10:00", "repeat": "once", "title": "Intrus"]),
            ("/organisation/nouvelle", ["name": "Organisation intruse"]), ("/organisation/services", ["name": "Service intrus"]),
            ("/notifications/reglages", ["sender_name": "Intrus", "sms_provider": "sandbox", "sms_daily_cap": "1", "email_daily_cap": "1"]),
            ("/compte/jetons", ["name": "Intrus", "scope": "write", "days": "30"]),
            ("/secteurs", ["name": "Secteur intrus"]), ("/secteurs/import", ["csv": "secteur;code_insee;commune;voie\nIntrus;62498;Lens;\n"]),
            ("/usagers/import", ["csv": "nom;prenom\nIntrus;Import\n", "etape": "importer"]),
            ("/compte/calendrier", ["noms": "on"]), ("/compte/calendrier/regenerer", [:]), ("/compte/calendrier/noms", ["noms": "on"]),
            ("/compte/calendrier/revoquer", [:]),
            ("/donnees-personnelles", Dictionary(uniqueKeysWithValues: ["rdv_months", "usager_months", "agent_months", "trail_months"].map { ($0, "6") })
                .merging(["message_months": "1", "agent_notice_days": "7", "api_call_days": "30"]) { $1 }),
        ]
        let usagerForms: [(String, [String: String])] = [
            ("/mon-compte/coordonnees", ["telephone": "0612345678", "email": "intrus@exemple.fr"]),
            ("/mon-compte/proches", ["prenom": "Intrus", "nom": "Proche"]), ("/mon-compte/suppression", ["confirmation": "SUPPRIMER"]),
            ("/mon-compte/deconnexion", [:]),
        ]
        let password = TestWorld.agentPassword
        return agentForms.map { CrossProbe.post($0.0, $0.0, $0.1, allowed: [303], location: signIn) }
            + usagerForms.map { CrossProbe.post($0.0, $0.0, $0.1, allowed: [303], location: usagerSignIn) }
            + [
                // Signed in nowhere here, so the sign-in forms show.
                .get("/connexion", "/connexion", allowed: [200]), .get("/mon-compte/connexion", "/mon-compte/connexion", allowed: [200]),
                .post("/connexion", "/connexion", ["email": b.agentEmail, "password": password], allowed: [401]).csrf(from: "/connexion"),
                .post("/mon-compte/connexion", "/mon-compte/connexion", ["email": b.usagerEmail, "password": password], allowed: [401])
                    .csrf(from: "/mon-compte/connexion"),
                .post("/mot-de-passe-oublie", "/mot-de-passe-oublie", ["email": b.agentEmail], allowed: [200]).csrf(from: "/mot-de-passe-oublie"),
                .post("/mon-compte/mot-de-passe-oublie", "/mon-compte/mot-de-passe-oublie", ["email": b.usagerEmail], allowed: [200])
                    .csrf(from: "/mon-compte/mot-de-passe-oublie"),
                // B's usager may open an account of A's with the same address: a separate account.
                .post("/mon-compte/inscription", "/mon-compte/inscription", [
                    "email": b.usagerEmail, "first_name": "Compte", "last_name": "Nouveau", "password": "Trois-pommes-et-un-velo", "confirmation": "Trois-pommes-et-un-velo",
                ], allowed: [200]).csrf(from: "/mon-compte/inscription"),
            ]
    }

    @Test func sessionsOfAnotherDepartementAreNotSignedIn() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            try await world.withLiveApp { app in
                let chief = try await b.signedIn(b.deptAdmin, app)
                let theirs = try await b.withSecretsFromPages(chief).targets
                let usager = try await b.signedInUsager(app)
                let agentCookie = try #require(await chief.cookies["rdv_session"])
                let usagerCookie = try #require(await usager.cookies["rdv_usager"])
                let before = try await SchemaSnapshot.take(world, b.tenant)
                let messagesOfA = Set(try await world.outbox(of: a.tenant).map(\.id))

                // Every route an agent or a usager of A may use, with B's cookies: sign in first.
                let pages = Self.pageProbes(mine: a.targets)
                let agentRoutes = pages.agent + CrossDepartementAgentTests.idProbes(mine: a.targets, theirs: theirs).map(\.probe)
                    + CrossDepartementAgentTests.fieldProbes(mine: a.targets, theirs: theirs).map(\.probe)
                let intruder = Browser(app: app, host: a.host)
                func send(_ probe: CrossProbe) async throws {
                    await intruder.setCookie("rdv_session", agentCookie)
                    await intruder.setCookie("rdv_usager", usagerCookie)
                    try await intruder.send(probe, as: "B's cookies on A's host", showingNothingOf: b)
                }
                for probe in agentRoutes {
                    try await send(probe.allowing([303], location: "/connexion"))
                }
                for probe in pages.usager {
                    try await send(probe.allowing([303], location: "/mon-compte/connexion"))
                }
                for probe in Self.sessionProbes(theirs: theirs) {
                    try await send(probe)
                }
                try await b.expectUnchanged(since: before, world)

                // A sent no reset link for B's people; only the new account of A got a message.
                let sent = try await world.outbox(of: a.tenant).filter { !messagesOfA.contains($0.id) }
                #expect(sent.map(\.subject) == ["Confirmez votre adresse – RDV Solidarités \(a.tenant.name)"])
                // On B's own host, the same cookies still open B's spaces.
                let back = Browser(app: app, host: b.host)
                await back.setCookie("rdv_session", agentCookie)
                await back.setCookie("rdv_usager", usagerCookie)
                #expect(try await back.get("/agent").status == .ok)
                #expect(try await back.get("/mon-compte").status == .ok)
            }
        }
    }
}
