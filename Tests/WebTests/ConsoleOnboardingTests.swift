import Consortium
import Foundation
import Identity
import Logging
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// Opening a département from the operator console: the form, the request the owner side
/// carries out, the first administrator's invitation, and an opening that stops midway.
@Suite struct ConsoleOnboardingTests {
    static func executor(_ world: TestWorld) -> OwnerJobs {
        OwnerJobs(
            owner: world.owner, database: world.database, runner: world.runner(),
            logger: Logger(label: "rdv.tests.provisioning"), link: { "http://\($0).rdv.test" }
        )
    }

    static func signedInOperator(_ world: TestWorld, _ app: LiveApp) async throws -> (Browser, ConsortiumAccount) {
        let account = try await world.makeConsortiumAccount(.operator_)
        let totp = try await world.enrolSecondFactor(account)
        let console = Browser(app: app, host: "console.rdv.test")
        #expect(try await console.signIn(account.email, totp: totp) == 303)
        #expect(try await console.get("/departements").status == .ok)
        return (console, account)
    }

    static let mayotte: [String: String] = [
        "name": "Mayotte", "code": "976", "slug": "mayotte", "custom_domains": "rdv.cg976.fr",
        "time_zone": "", "contact_email": "social@cg976.fr", "organisation_name": "PMI de Mamoudzou",
        "admin_first_name": "Zaïna", "admin_last_name": "Abdou", "admin_email": "z.abdou@cg976.fr",
    ]

    static func requestCount(_ world: TestWorld) async throws -> Int {
        try await world.owner.ownerQuery("SELECT count(*) FROM shared.provisioning_requests")[0].decode(Int.self)
    }

    @Test func anOperatorOpensADepartementAndItsFirstAdministratorSignsInOnItsHost() async throws {
        try await TestWorld.run { world in
            try await world.withLiveApp { app in
                let (console, _) = try await Self.signedInOperator(world, app)
                #expect(try await console.get("/departements/nouveau").text.contains("Ouvrir un département"))

                // A bad form says everything that is wrong, in French, and records nothing.
                var bad = Self.mayotte
                bad["code"] = "99"
                bad["admin_email"] = "pas-une-adresse"
                bad["time_zone"] = "Mars/Olympus"
                let refused = try await console.post("/departements/nouveau", bad)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("Le code INSEE du département est 01 à 95"))
                #expect(refused.text.contains("L’adresse électronique du premier administrateur n’est pas valide."))
                #expect(refused.text.contains("value=\"Mayotte\""), "what was typed stays in the form")
                #expect(try await Self.requestCount(world) == 0)

                let recorded = try await console.post("/departements/nouveau", Self.mayotte)
                #expect(recorded.status == .seeOther)
                let requestPath = try #require(recorded.headers[.location])
                #expect(requestPath.hasPrefix("/departements/demandes/"))
                #expect(try await console.get(requestPath).text.contains("en attente d’exécution"))
                // The same département cannot be asked for twice.
                let twice = try await console.post("/departements/nouveau", Self.mayotte)
                #expect(twice.status == .unprocessableContent)
                #expect(twice.text.contains("déjà en cours"))

                // The owner side carries it out.
                let outcomes = await Self.executor(world).runPending()
                #expect(outcomes.map(\.state) == [.done])
                let page = try await console.get(requestPath)
                #expect(page.text.contains("Demande terminée"))
                #expect(!page.text.contains("à faire"))
                let mayotte = try #require(try await world.registry.all().first { $0.code.value == "976" })
                #expect(mayotte.status == .active)
                #expect(mayotte.timeZone == "Indian/Mayotte", "an overseas département keeps its own clock")
                #expect(mayotte.customDomains == ["rdv.cg976.fr"])
                let list = try await console.get("/departements")
                #expect(list.text.contains("Mayotte") && list.text.contains("mayotte.rdv.test") && list.text.contains("à jour"))
                let detail = try await console.get("/departements/976")
                #expect(detail.text.contains("Département ouvert") && detail.text.contains("Département déclaré ou mis à jour"))
                // The administrator's name and address left schema shared with the invitation.
                let leftovers = try await world.owner.ownerQuery(
                    "SELECT count(*) FROM shared.provisioning_requests WHERE admin_email IS NOT NULL OR admin_last_name IS NOT NULL"
                )
                #expect(try leftovers[0].decode(Int.self) == 0)

                // The invitation, read from the development mailbox of the new host.
                let host = Browser(app: app, host: "mayotte.rdv.test")
                let mailbox = try await host.get("/dev/courriels")
                #expect(mailbox.text.contains("z.abdou@cg976.fr"))
                let start = try #require(mailbox.text.range(of: "/invitation/"))
                let token = mailbox.text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                let invitation = "/invitation/\(token)"
                #expect(try await host.get(invitation).text.contains("Bienvenue, Zaïna"))
                let chosen = try await host.post(invitation, ["password": "Le-lagon-de-Mayotte-2026", "confirmation": "Le-lagon-de-Mayotte-2026"])
                #expect(chosen.status == .seeOther)
                let later = Browser(app: app, host: "mayotte.rdv.test")
                #expect(try await later.signIn("z.abdou@cg976.fr", password: "Le-lagon-de-Mayotte-2026") == 303)
                // After the next statistics refresh, the console counts its administrator and the
                // steering committee finds the new département beside the others.
                _ = try await StatisticsRefresher(database: world.database, overlap: 0, logger: world.database.logger).refreshAll()
                let counted = try await console.get("/departements/976")
                #expect(counted.text.contains("<dt>Agents</dt><dd>1</dd>"))
                let steering = try await world.makeConsortiumAccount(.steering)
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                #expect(try await stats.get("/").text.contains("Mayotte"))
                let organisations = try await world.database.tenant(mayotte).transaction { connection in
                    try await connection.query("SELECT name FROM organisations").collect().map { try $0.decode(String.self) }
                }
                #expect(organisations == ["PMI de Mamoudzou"])
            }
        }
    }

    @Test func anOpeningThatStopsMidwayIsShownAsToFinishAndFinishesWithoutRedoingItsSteps() async throws {
        // A tenant migration that makes queuing any message fail, as an outage of the queue would.
        let base = try TestWorld.repositoryCatalog()
        let outage = Migration(version: 9001, fileName: "9001_queue_outage.sql", sql: """
            CREATE FUNCTION refuse_messages() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'file des messages indisponible';
            END
            $$;
            CREATE TRIGGER queue_outage BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_messages();
            """)
        try await TestWorld.run(catalog: MigrationCatalog(shared: base.shared, tenant: base.tenant + [outage])) { world in
            try await world.withLiveApp { app in
                let (console, _) = try await Self.signedInOperator(world, app)
                let path = try #require(try await console.post("/departements/nouveau", Self.mayotte).headers[.location])

                let first = await Self.executor(world).runPending()
                #expect(first.map(\.state) == [.failed])
                let mayotte = try #require(try await world.registry.all().first { $0.code.value == "976" })
                #expect(mayotte.status == .provisioning, "a half-made département does not look done")
                let closed = try await Browser(app: app, host: "mayotte.rdv.test").get("/")
                #expect(closed.status == .serviceUnavailable && closed.text.contains("en cours d’ouverture"))
                let page = try await console.get(path)
                #expect(page.text.contains("à terminer"))
                #expect(page.text.contains("Étape « invitation du premier administrateur »"))
                #expect(page.text.contains("file des messages indisponible"))
                #expect(page.text.contains("Terminer l’ouverture"))
                #expect(try await console.get("/departements").text.contains("à terminer"))

                // The outage ends; the operator finishes the job.
                _ = try await world.owner.ownerQuery("DROP TRIGGER queue_outage ON \(unescaped: mayotte.schemaName).messages")
                #expect(try await console.post(path + "/terminer", [:]).status == .seeOther)
                #expect(try await console.get(path).text.contains("en attente d’exécution"))
                let second = await Self.executor(world).runPending()
                #expect(second.map(\.state) == [.done])
                #expect(try await console.get(path).text.contains("Tentatives : 2."))
                #expect(try await world.registry.all().first { $0.code.value == "976" }?.status == .active)
                let counts = try await world.database.tenant(mayotte).transaction { connection in
                    try await connection.query(
                        "SELECT (SELECT count(*) FROM organisations), (SELECT count(*) FROM agents), (SELECT count(*) FROM messages)"
                    ).collect()[0].decode((Int, Int, Int).self)
                }
                #expect(counts == (1, 1, 1), "one organisation, one administrator, one invitation: nothing done twice")

                // Nothing left to finish: a second click is a conflict, not a second opening.
                let again = try await console.post(path + "/terminer", [:])
                #expect(again.status == .conflict)
                #expect(again.text.contains("n’est pas en échec"))
            }
        }
    }

    @Test func anAttemptThatDiedAfterRegisteringIsFinishedByTheNextOne() async throws {
        try await TestWorld.run { world in
            let account = try await world.makeConsortiumAccount(.operator_)
            let id = try await world.database.shared.transaction { connection in
                try await Onboarding(connection).request(OnboardingForm(fields: Self.mayotte), by: account.id, ip: nil)
            }
            // An attempt registered the département, then its process died before recording the step.
            let request = try #require(try await world.database.shared.transaction { try await Onboarding($0).find(id) })
            try await world.registry.upsert([request.definition], source: .console(actor: account.id))
            #expect(await Self.executor(world).runPending().map(\.state) == [.done])
            #expect(try await world.registry.all().map(\.status) == [.active])
        }
    }

    @Test func aCodeOrHostAlreadyTakenIsRefusedBeforeAnythingIsWritten() async throws {
        try await TestWorld.run { world in
            let existing = try await world.makeTenant(code: DepartementCode("62"), slug: "pas-de-calais", name: "Pas-de-Calais", customDomains: ["rdv.pasdecalais.fr"])
            try await world.withLiveApp { app in
                let (console, _) = try await Self.signedInOperator(world, app)
                var form = Self.mayotte
                form["code"] = "62"
                form["slug"] = existing.slug
                form["custom_domains"] = "rdv.pasdecalais.fr"
                let refused = try await console.post("/departements/nouveau", form)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("Le département 62 est déjà inscrit"))
                #expect(refused.text.contains("Le sous-domaine « pas-de-calais » est déjà celui de « Pas-de-Calais »"))
                #expect(refused.text.contains("Le domaine « rdv.pasdecalais.fr » est déjà celui de « Pas-de-Calais »"))
                var reserved = Self.mayotte
                reserved["slug"] = "console"
                #expect(try await console.post("/departements/nouveau", reserved).status == .unprocessableContent)
                #expect(try await Self.requestCount(world) == 0)
            }
        }
    }

    @Test func theApplicationRoleCanOnlyRecordRequestsAndRetryFailedOnes() async throws {
        try await TestWorld.run { world in
            let operatorAccount = try await world.makeConsortiumAccount(.operator_)
            let id = try await world.database.shared.transaction { connection in
                try await Onboarding(connection).request(OnboardingForm(fields: Self.mayotte), by: operatorAccount.id, ip: nil)
            }
            let attempts: [PostgresQuery] = [
                "UPDATE shared.provisioning_requests SET state = 'done'",
                "DELETE FROM shared.provisioning_requests",
                "SELECT shared.set_tenant_status(1, 'provisioning', NULL, NULL)",
                "INSERT INTO shared.tenants (slug, name, insee_code, time_zone) VALUES ('x', 'X', '01', 'Europe/Paris')",
            ]
            for attempt in attempts {
                await #expect(throws: PSQLError.self, "\(attempt.sql)") {
                    try await world.database.shared.transaction { connection in _ = try await connection.query(attempt).collect() }
                }
            }
            // A request still pending is not the console's to put back in the queue.
            await #expect(throws: OnboardingError.notRetryable) {
                try await world.database.shared.transaction { connection in
                    try await Onboarding(connection).retry(id, by: operatorAccount.id, ip: nil)
                }
            }
        }
    }
}
