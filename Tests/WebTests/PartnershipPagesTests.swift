import Consortium
import Foundation
import Identity
import PostgresNIO
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// The partnership registry on the console, through HTTP, as an operator who passed the
/// second factor.
@Suite struct PartnershipPagesTests {
    static func day(_ offset: Int, months: Int = 0) -> String {
        ConsortiumCalendar.today().adding(months: months).adding(days: offset).description
    }

    /// An operator signed in on console. with the second factor.
    static func operatorBrowser(_ world: TestWorld, _ app: LiveApp) async throws -> Browser {
        let account = try await world.makeConsortiumAccount(.operator_)
        let totp = try await world.enrolSecondFactor(account)
        let console = Browser(app: app, host: "console.rdv.test")
        #expect(try await console.signIn(account.email, totp: totp) == 303)
        return console
    }

    static func conventionFields(round: String = "2026-2028", start: String, end: String, due: String, kind: String = "initial") -> [String: String] {
        ["funding_round": round, "kind": kind, "signed_on": start, "starts_on": start, "ends_on": end, "contribution_due_on": due, "agreed_contribution": ""]
    }

    static func count(_ table: String, _ world: TestWorld) async throws -> Int {
        try await world.database.shared.query(PostgresQueryText.count(table)).collect()[0].decode(Int.self)
    }

    static func conventionID(of tenant: Tenant, _ world: TestWorld) async throws -> Int {
        try await world.database.shared.query("SELECT id FROM shared.conventions WHERE tenant_id = \(tenant.id) ORDER BY id DESC LIMIT 1")
            .collect()[0].decode(Int.self)
    }

    @Test func aConventionAndAPaymentFillTheRoundTableAndEditingARuleRecomputesIt() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Pas-de-Calais témoin")
            try await world.withLiveApp { app in
                let console = try await Self.operatorBrowser(world, app)
                let base = "/partenariat/departements/\(tenant.id)"
                #expect(try await console.get(base).status == .ok)
                let census = try await console.post("\(base)/recensement", ["population": "1 450 000", "census_year": "2021"])
                #expect(census.status == .ok && census.text.contains("Recensement enregistré"))
                #expect(census.text.contains("1\u{202F}450\u{202F}000 habitants (recensement 2021)"))

                try await console.get("\(base)/conventions/nouvelle")
                let created = try await console.post("\(base)/conventions", Self.conventionFields(start: Self.day(-30), end: Self.day(0, months: 24), due: Self.day(0, months: 1)))
                #expect(created.status == .seeOther)
                let conventionID = try await Self.conventionID(of: tenant, world)
                let page = try await console.get(base)
                #expect(page.text.contains("30\u{202F}000,00\u{00A0}€"), "the tier of more than a million inhabitants")

                let paid = try await console.post("\(base)/conventions/\(conventionID)/paiements", ["paid_on": Self.day(-10), "amount": "30 000"])
                #expect(paid.status == .ok && paid.text.contains("Paiement enregistré"))

                let table = try await console.get("/partenariat")
                #expect(table.status == .ok && table.text.contains("Période de financement 2026-2028"))
                #expect(table.text.contains(#"<td id="abondement-total">30"# + "\u{202F}000,00\u{00A0}€</td>"))
                #expect(table.text.contains(#"<td colspan="4" id="reste-plafond">170"# + "\u{202F}000,00\u{00A0}€</td>"))

                // A tier of 40 000 €, the State at 50 % up to 10 000 €: due 40 000 €, matched
                // min(15 000, 10 000) = 10 000 €, nothing left under the cap.
                try await console.get("/partenariat/regles")
                let rules = try await console.post("/partenariat/regles", [
                    "tier_above_0": "1000000", "tier_amount_0": "40000", "tier_above_1": "0", "tier_amount_1": "5000",
                    "tier_above_2": "", "tier_amount_2": "", "renewal_rate": "50", "match_rate": "50", "match_cap": "10 000",
                ])
                #expect(rules.status == .seeOther)
                let recomputed = try await console.get("/partenariat")
                #expect(recomputed.text.contains("40\u{202F}000,00\u{00A0}€"))
                #expect(recomputed.text.contains(#"<td id="abondement-total">10"# + "\u{202F}000,00\u{00A0}€</td>"))
                #expect(recomputed.text.contains(#"id="reste-plafond">0,00"# + "\u{00A0}€</td>"))
                #expect(recomputed.text.contains("plafond de l’abondement de l’État est atteint"))
            }
            let actions = try await world.database.shared.query("SELECT action FROM shared.consortium_audit_events").collect().map { try $0.decode(String.self) }
            #expect(Set(actions).isSuperset(of: ["partnership.census_changed", "partnership.convention_saved", "partnership.payment_recorded", "partnership.rules_changed"]))
            let managed = try await world.database.shared.query(
                "SELECT managed_in_console_at IS NOT NULL FROM shared.memberships WHERE tenant_id = \(tenant.id)"
            ).collect()[0].decode(Bool.self)
            #expect(managed, "console edits mark the membership as managed on the console")
        }
    }

    @Test func theManagementReportListsTheRightSums() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Drôme témoin")
            try await world.withLiveApp { app in
                let console = try await Self.operatorBrowser(world, app)
                let base = "/partenariat/departements/\(tenant.id)"
                try await console.get(base)
                try await console.post("\(base)/recensement", ["population": "520000", "census_year": "2021"])
                var fields = Self.conventionFields(round: "2031-2033", start: "2031-01-01", end: "2033-12-31", due: "2031-03-31")
                fields["agreed_contribution"] = "18 000"
                #expect(try await console.post("\(base)/conventions", fields).status == .seeOther)
                let conventionID = try await Self.conventionID(of: tenant, world)
                try await console.get(base)
                try await console.post("\(base)/conventions/\(conventionID)/paiements", ["paid_on": "2031-02-01", "amount": "10000"])
                try await console.post("\(base)/conventions/\(conventionID)/paiements", ["paid_on": "2031-03-01", "amount": "8000,50"])

                try await console.get("/partenariat/depenses")
                for (date, amount, round) in [("2031-05-01", "1200", "2031-2033"), ("2032-06-30", "800,25", "2031-2033"), ("2031-05-01", "999", "autre"), ("2034-01-02", "50", "2031-2033")] {
                    let saved = try await console.post("/partenariat/depenses", [
                        "spent_on": date, "supplier": "Prestataire", "object": "Hébergement \(amount)", "amount": amount, "funding_round": round,
                    ])
                    #expect(saved.status == .ok && saved.text.contains("Dépense enregistrée"))
                }
                // Correct one, delete another: the ledger follows.
                let ids = try await world.database.shared.query("SELECT id FROM shared.partnership_expenses ORDER BY id").collect().map { try $0.decode(Int.self) }
                try await console.get("/partenariat/depenses/\(ids[1])/modifier")
                #expect(try await console.post("/partenariat/depenses/\(ids[1])", [
                    "spent_on": "2032-06-30", "supplier": "Prestataire", "object": "Hébergement", "amount": "800", "funding_round": "2031-2033",
                ]).status == .seeOther)
                try await console.get("/partenariat/depenses")
                #expect(try await console.post("/partenariat/depenses/\(ids[3])/supprimer", [:]).status == .seeOther)
                #expect(try await Self.count("partnership_expenses", world) == 3)

                let report = try await console.get("/partenariat/conventions/\(conventionID)/rapport")
                #expect(report.status == .ok)
                let text = report.text
                #expect(text.contains(#"<span id="rapport-du">18"# + "\u{202F}000,00\u{00A0}€</span>"))
                #expect(text.contains(#"<td id="rapport-paye">18"# + "\u{202F}000,50\u{00A0}€</td>"))
                #expect(text.contains(#"<td id="rapport-abondement">18"# + "\u{202F}000,50\u{00A0}€</td>"))
                #expect(text.contains(#"<td id="rapport-depenses">2"# + "\u{202F}000,00\u{00A0}€</td>"), "1 200 € and 800 € of this round, not the other round's")
                #expect(text.contains(#"<span id="rapport-solde">34"# + "\u{202F}001,00\u{00A0}€</span>"))
                #expect(!text.contains("Hébergement 999"))
            }
        }
    }

    @Test func warningsAppearOnTheConsoleHomeAndGoAwayOnceDealtWith() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Seine-et-Marne témoin")
            try await world.withLiveApp { app in
                let console = try await Self.operatorBrowser(world, app)
                let home = try await console.get("/")
                #expect(home.status == .ok)
                #expect(home.text.contains("Aucun comité technique consigné") && home.text.contains("Aucun comité de pilotage consigné"))
                #expect(!home.text.contains("stratégie de poursuite"))

                // A convention ending in two months, its contribution due yesterday and unpaid.
                let base = "/partenariat/departements/\(tenant.id)"
                try await console.get(base)
                try await console.post("\(base)/recensement", ["population": "300000", "census_year": "2021"])
                #expect(try await console.post("\(base)/conventions", Self.conventionFields(start: Self.day(-300), end: Self.day(0, months: 2), due: Self.day(-1))).status == .seeOther)
                let conventionID = try await Self.conventionID(of: tenant, world)
                let warned = try await console.get("/").text
                #expect(warned.contains("La convention de Seine-et-Marne témoin (2026-2028) finit le"))
                #expect(warned.contains("Contribution de Seine-et-Marne témoin (2026-2028) : 12\u{202F}000,00\u{00A0}€ restent dus"))

                try await console.get(base)
                try await console.post("\(base)/conventions/\(conventionID)/paiements", ["paid_on": Self.day(0), "amount": "12000"])
                try await console.get("\(base)/conventions/\(conventionID)/modifier")
                #expect(try await console.post("\(base)/conventions/\(conventionID)", Self.conventionFields(start: Self.day(-300), end: Self.day(0, months: 4), due: Self.day(-1))).status == .seeOther)

                try await console.get("/partenariat/comites")
                for kind in ["technical", "steering"] {
                    let logged = try await console.post("/partenariat/comites", [
                        "held_on": Self.day(0), "kind": kind, "attendee_\(tenant.id)": "1", "minutes_url": "https://exemple.fr/cr.pdf",
                    ])
                    #expect(logged.status == .ok && logged.text.contains("Réunion consignée"))
                    #expect(logged.text.contains("Seine-et-Marne témoin"))
                }
                let calm = try await console.get("/").text
                #expect(!calm.contains("À faire pour le partenariat"), "\(calm)")
            }
        }
    }

    @Test func badInputIsRefusedInFrenchWith422AndWritesNothing() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                let console = try await Self.operatorBrowser(world, app)
                let base = "/partenariat/departements/\(tenant.id)"
                try await console.get("\(base)/conventions/nouvelle")
                let convention = try await console.post("\(base)/conventions", Self.conventionFields(round: " ", start: "2027-01-01", end: "2026-01-01", due: "31/02/2026"))
                #expect(convention.status == .unprocessableContent)
                #expect(convention.text.contains("la convention ne peut finir avant de commencer"))
                #expect(convention.text.contains("Période de financement : à renseigner."))
                #expect(convention.text.contains("Échéance de la contribution : date invalide"))
                #expect(convention.text.contains(#"<title>Erreur – "#))
                #expect(try await Self.count("conventions", world) == 0)

                try await console.get(base)
                let census = try await console.post("\(base)/recensement", ["population": "beaucoup", "census_year": "2021"])
                #expect(census.status == .unprocessableContent && census.text.contains("Population : un nombre entier"))
                #expect(census.text.contains(#"value="beaucoup""#), "what was typed comes back")

                let rules = try await console.post("/partenariat/regles", [
                    "tier_above_0": "0", "tier_amount_0": "6000", "renewal_rate": "50", "match_rate": "150", "match_cap": "200000",
                ])
                #expect(rules.status == .unprocessableContent && rules.text.contains("Taux d’abondement de l’État : un nombre entier entre 0 et 100."))
                #expect(try await Self.count("contribution_tiers", world) == 4, "the default tiers are still all there")

                #expect(try await console.post("\(base)/conventions", Self.conventionFields(start: "2026-01-01", end: "2028-12-31", due: "2026-03-31")).status == .seeOther)
                let conventionID = try await Self.conventionID(of: tenant, world)
                try await console.get(base)
                let payment = try await console.post("\(base)/conventions/\(conventionID)/paiements", ["paid_on": "2026-02-01", "amount": "-5"])
                #expect(payment.status == .unprocessableContent && payment.text.contains("Montant payé : un montant en euros supérieur à zéro"))
                #expect(payment.text.contains(##"href="#amount-\##(conventionID)""##), "the summary links to the convention's own field")
                let site = try await console.post("\(base)/sites", ["organisation": "MDS", "referent": "", "contact": "x@y.fr"])
                #expect(site.status == .unprocessableContent && site.text.contains("Travailleur social référent : à renseigner."))
                let committee = try await console.post("/partenariat/comites", ["held_on": "2026-01-05", "kind": "plenary", "minutes_url": "javascript:alert(1)"])
                #expect(committee.status == .unprocessableContent && committee.text.contains("Compte rendu : une adresse web"))
                let expense = try await console.post("/partenariat/depenses", ["spent_on": "", "supplier": "S", "object": "O", "amount": "0", "funding_round": "r"])
                #expect(expense.status == .unprocessableContent && expense.text.contains("Montant TTC : un montant en euros supérieur à zéro"))
                for table in ["contribution_payments", "pilot_sites", "committee_meetings", "partnership_expenses"] {
                    #expect(try await Self.count(table, world) == 0, "\(table)")
                }

                // A form without its token, or with another session's, changes nothing.
                let forged = try await console.post("\(base)/recensement", ["population": "12", "census_year": "2021"], csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(try await console.post("/partenariat/regles", ["renewal_rate": "10"], csrf: "").status == .forbidden)
                // Another département's convention is not found through this one's address.
                let other = try await world.makeTenant()
                try await console.get(base)
                #expect(try await console.post("/partenariat/departements/\(other.id)/conventions/\(conventionID)/paiements", ["paid_on": "2026-02-01", "amount": "5"]).status == .notFound)
                #expect(try await Self.count("contribution_payments", world) == 0)
            }
        }
    }

    @Test func theSteeringCommitteeReachesNoPartnershipPage() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let steering = try await world.makeConsortiumAccount(.steering)
            try await world.withLiveApp { app in
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.get("/partenariat").status == .notFound, "stats. has no such page, even signed out")
                #expect(try await stats.signIn(steering.email) == 303)
                let home = try await stats.get("/")
                #expect(home.status == .ok && !home.text.contains("/partenariat"))
                for path in ["/partenariat", "/partenariat/regles", "/partenariat/depenses", "/partenariat/comites", "/partenariat/departements/\(tenant.id)"] {
                    #expect(try await stats.get(path).status == .notFound, "\(path)")
                }
                #expect(try await stats.post("/partenariat/regles", ["renewal_rate": "0"]).status == .notFound)
                // Its session means nothing on console.
                let console = Browser(app: app, host: "console.rdv.test")
                await console.copyCookies(from: stats)
                #expect(try await console.get("/partenariat").status == .seeOther)
                // And nobody signed out gets in.
                #expect(try await Browser(app: app, host: "console.rdv.test").get("/partenariat/depenses").status == .seeOther)
            }
            let rules = try await ConsortiumFinance(world.database.shared).rules()
            #expect(rules.renewalRatePercent == 50)
        }
    }
}

/// `SELECT count(*)` of a partnership table named by the test itself.
enum PostgresQueryText {
    static func count(_ table: String) -> PostgresQuery { PostgresQuery(unsafeSQL: "SELECT count(*) FROM shared.\(table)") }
}
