import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy
@testable import Web

/// The statistics pages over HTTP: what they show of known aggregates, their CSV, their chart's
/// text alternative, and who may open them.
@Suite struct StatisticsPagesTests {
    /// Aggregates of January 2026 as the refresh writes them: A has only small counts, B a large
    /// one that would give A's back through the consortium's total.
    func seed(_ world: TestWorld) async throws -> (Tenant, Tenant) {
        let a = try await world.makeTenant(name: "Alpha")
        let b = try await world.makeTenant(name: "Bêta")
        _ = try await world.owner.ownerQuery("""
            INSERT INTO shared.statistics_days (tenant_id, day, created_agent, created_usager, created_waiting_list, created_api, seen, noshow)
            VALUES (\(a.id), '2026-01-12', 3, 3, 1, 1, 3, 2), (\(b.id), '2026-01-12', 1234, 0, 0, 0, 1200, 0)
            """)
        _ = try await world.owner.ownerQuery("""
            INSERT INTO shared.statistics_watermarks (tenant_id, changes_before, refreshed_at)
            VALUES (\(a.id), '2026-02-01 10:00+01', '2026-02-01 10:00+01')
            """)
        return (a, b)
    }

    @Test func theSteeringCommitteeReadsTheMonthWithSmallCountsHidden() async throws {
        try await TestWorld.run { world in
            let (a, b) = try await seed(world)
            let steering = try await world.makeConsortiumAccount(.steering)
            try await world.withLiveApp { app in
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                let home = try await stats.get("/?mois=2026-01")
                #expect(home.status == .ok)
                #expect(home.text.contains("<h1>Pilotage du consortium</h1>") && home.text.contains("janvier 2026"))
                #expect(home.text.contains("Mis à jour le"))
                // Consortium: 1 237 by agents, 1 242 in all, in French digit groups.
                #expect(home.text.contains("1\u{202F}237") && home.text.contains("1\u{202F}242"))
                #expect(home.text.contains("<td class=\"number\">&lt; 5</td>") && home.text.contains("<td class=\"number\">secret</td>"))
                // B's 1 234 by agents would give A's 3 back from the consortium's 1 237: hidden, with B's first zero.
                #expect(home.text.contains(
                    "<th scope=\"row\">\(b.name) (\(b.code.value))</th><td class=\"number\">secret</td><td class=\"number\">secret</td>"
                        + "<td class=\"number\">0</td><td class=\"number\">0</td><td class=\"number\">1\u{202F}234</td>"
                ))

                let csv = try await stats.get("/statistiques/csv/rdv-pris?mois=2026-01")
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = csv.text.components(separatedBy: "\r\n")
                #expect(lines[0] == "Département;Pris par un agent;Pris en ligne par l’usager;Pris par la liste d’attente;Pris par un logiciel partenaire (API);Total des rendez-vous pris")
                #expect(lines.contains("\(a.name) (\(a.code.value));< 5;< 5;< 5;< 5;8"))
                #expect(lines.contains("\(b.name) (\(b.code.value));secret;secret;0;0;1234"))
                #expect(lines.contains("Consortium;1237;< 5;< 5;< 5;1242"))

                // The chart says in words what it draws; its table follows.
                #expect(home.text.contains("role=\"img\" aria-labelledby=\"graphique-rdv-titre graphique-rdv-desc\""))
                #expect(home.text.contains(
                    "<desc id=\"graphique-rdv-desc\">Rendez-vous pris par mois – consortium, de février 2024 à janvier 2026. "
                        + "Maximum : 1\u{202F}242 en janvier 2026 ; minimum : 0 en février 2024 ; janvier 2026 : 1\u{202F}242.</desc>"
                ))
                let trend = try await stats.get("/statistiques/csv/tendance?mois=2026-01")
                #expect(trend.text.contains("janvier 2026;1242;1203;< 5;0;0;0"))

                // A département's page shows its row as the side-by-side table publishes it.
                let page = try await stats.get("/statistiques/departements/\(b.code.value)?mois=2026-01")
                #expect(page.status == .ok && page.text.contains("<h1>\(b.name) (\(b.code.value))</h1>"))
                let own = try await stats.get("/statistiques/csv/rdv-pris?mois=2026-01&departement=\(b.code.value)")
                #expect(own.text.hasSuffix("\(b.name) (\(b.code.value));secret;secret;0;0;1234\r\n"))

                #expect(try await stats.get("/?mois=janvier").status == .badRequest)
                #expect(try await stats.get("/statistiques/departements/00").status == .notFound)
                #expect(try await stats.get("/statistiques/csv/inconnu").status == .notFound)
            }
        }
    }

    @Test func onlyConsortiumMembersOpenTheStatisticsEachOnTheirOwnHost() async throws {
        try await TestWorld.run { world in
            let (a, _) = try await seed(world)
            let agent = try await world.makeAgent(in: a, role: .admin, organisation: try await world.makeOrganisation(in: a))
            let steering = try await world.makeConsortiumAccount(.steering)
            let operatorAccount = try await world.makeConsortiumAccount(.operator_)
            let totp = try await world.enrolSecondFactor(operatorAccount)
            try await world.withLiveApp { app in
                // Signed out: every statistics page sends to the sign-in page.
                for path in ["/", "/statistiques", "/statistiques/departements/\(a.code.value)", "/statistiques/csv/rdv-pris"] {
                    let response = try await Browser(app: app, host: "stats.rdv.test").get(path)
                    #expect(response.status == .seeOther && response.headers[.location]?.hasPrefix("/connexion") == true, "\(path)")
                }
                // A département's agent has no account there.
                #expect(try await Browser(app: app, host: "stats.rdv.test").signIn(agent.email) == 401)

                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                #expect(try await stats.get("/statistiques?mois=2026-01").status == .ok)
                // The steering member's session opens neither the console nor a département.
                let console = Browser(app: app, host: "console.rdv.test")
                await console.copyCookies(from: stats)
                #expect(try await console.get("/statistiques").status == .seeOther)
                #expect(try await console.get("/").status == .seeOther)
                let departement = Browser(app: app, host: "\(a.slug).rdv.test")
                await departement.copyCookies(from: stats)
                #expect(try await departement.get("/agent").status == .seeOther)
                #expect(try await departement.get("/statistiques").status == .notFound)

                // Operators read the same statistics under console.…/statistiques.
                let operatorConsole = Browser(app: app, host: "console.rdv.test")
                #expect(try await operatorConsole.signIn(operatorAccount.email, totp: totp) == 303)
                let page = try await operatorConsole.get("/statistiques?mois=2026-01")
                #expect(page.status == .ok && page.text.contains("<h1>Statistiques du consortium</h1>") && page.text.contains("1\u{202F}242"))
                #expect(try await operatorConsole.get("/").text.contains("Console du consortium"))
            }
        }
    }

    @Test func figuresAreWrittenTheFrenchWay() {
        #expect(StatisticsFormat.integer(1_234_567) == "1\u{202F}234\u{202F}567" && StatisticsFormat.integer(12) == "12")
        #expect(StatisticsFormat.percent(1, of: 8) == "12,5\u{202F}%" && StatisticsFormat.percent(1, of: 4) == "25\u{202F}%")
        #expect(StatisticsFormat.month("2026-01") == "janvier 2026" && StatisticsFormat.month("2025-08") == "août 2025")
        #expect(StatisticsMonth(key: "2026-13") == nil && StatisticsMonth(key: "2026-1") == nil)
        #expect(StatisticsMonth(key: "2026-01")?.window(3).map(\.key) == ["2025-11", "2025-12", "2026-01"])
    }
}
