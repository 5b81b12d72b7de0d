import Agenda
import Foundation
import Identity
import Logging
import PostgresNIO
import Privacy
import Testing
import TestSupport
@testable import Tenancy

/// Retention on the real PostgreSQL: what goes, what stays, with the département's durations,
/// and nothing of another département touched.
@Suite struct RetentionTests {
    static let logger = Logger(label: "rdv.tests.retention")

    /// A département with one organisation, lieu and motif, and ways to write old rows.
    struct Place: Sendable {
        let world: TestWorld
        let tenant: Tenant
        let organisation: Organisation
        let agent: UUID
        let lieu: UUID
        let motif: UUID

        static func make(_ world: TestWorld, name: String) async throws -> Place {
            let tenant = try await world.makeTenant(name: name)
            let organisation = try await world.makeOrganisation(in: tenant)
            let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation).id
            let (lieu, motif) = try await world.makeLieuAndMotif(in: tenant, organisation: organisation)
            return Place(world: world, tenant: tenant, organisation: organisation, agent: agent, lieu: lieu, motif: motif)
        }

        var database: TenantDatabase { world.database.tenant(tenant) }

        /// A usager created and last changed `days` ago, responsible for nobody unless told.
        func usager(days: Int, responsible: UUID? = nil) async throws -> UUID {
            try await database.transaction { connection in
                try await connection.returnedID("""
                    INSERT INTO usagers (first_name, last_name, responsible_id, created_at, updated_at)
                    VALUES ('Camille', 'Usager', \(responsible), now() - make_interval(days => \(days)::int), now() - make_interval(days => \(days)::int))
                    RETURNING id
                    """)
            }
        }

        /// An appointment of `usager` that started `days` ago (negative: to come), with a sent message.
        func rdv(of usager: UUID, days: Int) async throws -> UUID {
            let (lieu, motif, agent) = (self.lieu, self.motif, self.agent)
            return try await database.transaction { connection in
                let rdv = try await connection.returnedID("""
                    INSERT INTO rdvs (motif_id, lieu_id, starts_at, ends_at, status, created_by, created_at, updated_at)
                    VALUES (\(motif), \(lieu), now() - make_interval(days => \(days)::int), now() - make_interval(days => \(days)::int) + interval '30 minutes',
                            'seen', 'agent', now() - make_interval(days => \(days + 10)::int), now() - make_interval(days => \(days)::int))
                    RETURNING id
                    """)
                try await connection.query("""
                    INSERT INTO rdv_agents (rdv_id, agent_id, during, active)
                    SELECT id, \(agent), tstzrange(starts_at, ends_at, '[)'), true FROM rdvs WHERE id = \(rdv)
                    """)
                try await connection.query("INSERT INTO rdv_participants (rdv_id, usager_id, status) VALUES (\(rdv), \(usager), 'seen')")
                return rdv
            }
        }

        /// A message created `days` ago in `state`, with one attempt whose answer names the recipient.
        func message(days: Int, state: String) async throws -> UUID {
            try await database.transaction { connection in
                let id = try await connection.returnedID("""
                    INSERT INTO messages (channel, kind, recipient, subject, body, state, created_at, sent_at)
                    VALUES ('email', 'reminder', 'camille@exemple.fr', 'Rappel', 'Bonjour Camille', \(state),
                            now() - make_interval(days => \(days)::int), now() - make_interval(days => \(days)::int))
                    RETURNING id
                    """)
                try await connection.query("""
                    INSERT INTO message_attempts (message_id, outcome, detail, attempted_at)
                    VALUES (\(id), 'sent', '250 ok camille@exemple.fr', now() - make_interval(days => \(days)::int))
                    """)
                return id
            }
        }

        func exists(_ table: String, _ id: UUID) async throws -> Bool {
            try await database.transaction { connection in
                var binds = PostgresBindings()
                binds.append(id)
                for try await found in try await connection.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = $1)", binds: binds))
                    .decode(Bool.self) { return found }
                return false
            }
        }

        func notice() -> Retention.Notice {
            Retention.Notice(departement: tenant.name, signInURL: "http://\(tenant.slug).rdv.test/connexion", clock: tenant.clock)
        }
    }

    @Test func settingsAreBoundedInFrenchAndByTheDatabase() async throws {
        var form = Dictionary(uniqueKeysWithValues: RetentionSettings.fields.map { ($0.name, "24") })
        form["message_months"] = "6"
        form["agent_notice_days"] = "30"
        form["api_call_days"] = "180"
        #expect(try RetentionSettings.parse(form) == RetentionSettings(
            rdvMonths: 24, usagerMonths: 24, messageMonths: 6, agentMonths: 24, agentNoticeDays: 30, trailMonths: 24, apiCallDays: 180
        ))
        form["rdv_months"] = "3"
        form["trail_months"] = "douze"
        #expect(throws: RetentionSettingsError.self) { try RetentionSettings.parse(form) }
        do { _ = try RetentionSettings.parse(form) } catch {
            #expect(error.fields.count == 2)
            #expect(error.french.contains("« Rendez-vous terminés depuis plus de » : un nombre de 6 à 120 mois."))
        }
        try await TestWorld.run { world in
            let place = try await Place.make(world, name: "Alpha")
            #expect(try await place.database.transaction { try await RetentionSettings.load($0) } == .standard)
            await #expect(throws: (any Error).self) {
                try await place.database.transaction { try await $0.query("UPDATE retention_settings SET rdv_months = 2") }
            }
        }
    }

    @Test func oldAppointmentsUsagersAndMessagesGoAndNothingElse() async throws {
        try await TestWorld.run { world in
            let a = try await Place.make(world, name: "Alpha")
            let b = try await Place.make(world, name: "Bêta")
            // A webhook endpoint of A's organisation hears the deletions, with reason rgpd.
            try await a.database.transaction { connection in
                try await connection.query("""
                    INSERT INTO webhook_endpoints (organisation_id, url, models, secret_sealed)
                    VALUES (\(a.organisation.id), 'https://exemple.fr/hook', '{rdv,usager}', '\\x00')
                    """)
            }
            var old: [String: UUID] = [:]
            for place in [a, b] {
                let gone = try await place.usager(days: 1100)
                old[place.tenant.slug] = try await place.rdv(of: gone, days: 1000)
            }
            let oldUsagerA = try await a.usager(days: 1100)
            _ = try await a.rdv(of: oldUsagerA, days: 1001)
            let recentUsager = try await a.usager(days: 1100)
            let recentRdv = try await a.rdv(of: recentUsager, days: 30)
            let comingRdv = try await a.rdv(of: recentUsager, days: -10)
            // A parent and child with nothing left: both go. A parent whose child has a recent
            // appointment stays, as does an old usager changed last week.
            let parent = try await a.usager(days: 900)
            let child = try await a.usager(days: 900, responsible: parent)
            let keptParent = try await a.usager(days: 900)
            _ = try await a.usager(days: 10, responsible: keptParent)
            let changed = try await a.usager(days: 900)
            try await a.database.transaction { try await $0.query("UPDATE usagers SET updated_at = now() - interval '7 days' WHERE id = \(changed)") }
            let oldMessage = try await a.message(days: 200, state: "sent")
            let recentMessage = try await a.message(days: 20, state: "sent")
            let waiting = try await a.message(days: 200, state: "queued")
            let oldMessageB = try await b.message(days: 200, state: "sent")

            let now = Date()
            let retention = Retention(database: a.database, batch: 2)
            let preview = try await retention.preview(now: now)
            #expect(preview[.rdvs] == 2)
            #expect(preview[.usagers] == 4, "the usagers of the old appointments, and the parent with the child: one pass takes them all")
            #expect(preview[.messages] == 1)
            #expect(try await a.exists("rdvs", old[a.tenant.slug]!), "a preview writes nothing")

            let done = try await retention.apply(now: now, notice: a.notice(), logger: Self.logger)
            #expect(done[.rdvs] == 2)
            #expect(done[.usagers] == 4)
            #expect(done[.messages] == 1)
            for id in [old[a.tenant.slug]!] { #expect(try await !a.exists("rdvs", id)) }
            for id in [oldUsagerA, parent, child] { #expect(try await !a.exists("usagers", id)) }
            for id in [recentRdv, comingRdv] { #expect(try await a.exists("rdvs", id)) }
            for id in [recentUsager, keptParent, changed] { #expect(try await a.exists("usagers", id)) }

            let (body, recipient, detail, anonymised) = try await a.database.transaction { connection in
                try await connection.query("""
                    SELECT m.body, m.recipient, a.detail, m.anonymised_at IS NOT NULL FROM messages m JOIN message_attempts a ON a.message_id = m.id
                    WHERE m.id = \(oldMessage)
                    """).decode((String, String, String, Bool).self).first { _ in true }!
            }
            #expect(body.isEmpty && recipient.isEmpty && detail.isEmpty && anonymised)
            let untouched = try await a.database.transaction { connection in
                try await connection.query("SELECT count(*)::int FROM messages WHERE id IN (\(recentMessage), \(waiting)) AND body <> '' AND anonymised_at IS NULL")
                    .decode(Int.self).first { _ in true }
            }
            #expect(untouched == 2, "a recent message and one still queued keep their content")

            let reasons = try await a.database.transaction { connection in
                try await connection.query("""
                    SELECT webhook_model || ':' || webhook_event || ':' || coalesce(webhook_reason, '-') FROM messages
                    WHERE channel = 'webhook' AND webhook_event = 'destroyed' ORDER BY webhook_sequence
                    """).decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
            }
            // A usager deleted by retention has no appointment left, hence no organisation whose
            // endpoints would hear of it: only the appointments' deletions are sent.
            #expect(reasons == ["rdv:destroyed:rgpd"])

            // Another pass finds nothing; the runs table keeps the counts.
            #expect(try await retention.apply(now: now, notice: a.notice(), logger: Self.logger).total == 0)
            let runs = try await retention.recentRuns()
            #expect(runs.count == 2)
            #expect(runs.last?.counts[.usagers] == 4)

            // B ran nothing: its old appointment and message are whole.
            #expect(try await b.exists("rdvs", old[b.tenant.slug]!))
            #expect(try await b.database.transaction { connection in
                try await connection.query("SELECT body FROM messages WHERE id = \(oldMessageB)").decode(String.self).first { _ in true }
            } == "Bonjour Camille")
        }
    }

    @Test func durationsAreTheDepartementsOwn() async throws {
        try await TestWorld.run { world in
            let a = try await Place.make(world, name: "Alpha")
            let usager = try await a.usager(days: 2000)
            let rdv = try await a.rdv(of: usager, days: 1000)
            var settings = RetentionSettings.standard
            settings.rdvMonths = 60
            let chosen = settings
            try await a.database.transaction { try await chosen.save($0) }
            let retention = Retention(database: a.database)
            #expect(try await retention.preview(now: Date())[.rdvs] == 0)
            settings.rdvMonths = 24
            let back = settings
            try await a.database.transaction { try await back.save($0) }
            #expect(try await retention.preview(now: Date())[.rdvs] == 1)
            _ = try await retention.apply(now: Date(), notice: a.notice(), logger: Self.logger)
            #expect(try await !a.exists("rdvs", rdv))
        }
    }

    @Test func inactiveAgentsAreWarnedThenDeactivatedUnlessTheyComeBack() async throws {
        try await TestWorld.run { world in
            let a = try await Place.make(world, name: "Alpha")
            let admin = try await world.makeAgent(in: a.tenant, role: .deptAdmin, organisation: nil)
            let sleeper = try await world.makeAgent(in: a.tenant, role: .agent, organisation: a.organisation)
            let returning = try await world.makeAgent(in: a.tenant, role: .agent, organisation: a.organisation)
            try await a.database.transaction { connection in
                // Everyone but the fixture's active agent (who has no appointment either) is three years old.
                try await connection.query("UPDATE agents SET created_at = now() - interval '3 years'")
                try await connection.query("UPDATE agents SET created_at = now() WHERE id = \(a.agent)")
            }
            let retention = Retention(database: a.database)
            let now = Date()
            #expect(try await retention.preview(now: now)[.agentsWarned] == 2, "the only administrator is never warned")
            let first = try await retention.apply(now: now, notice: a.notice(), logger: Self.logger)
            #expect(first[.agentsWarned] == 2)
            #expect(first[.agentsDeactivated] == 0)
            let mails = try await world.outbox(of: a.tenant).filter { $0.subject.contains("sera désactivé") }
            #expect(Set(mails.map(\.recipient)) == [sleeper.email, returning.email])
            #expect(mails.allSatisfy { $0.body.contains("http://\(a.tenant.slug).rdv.test/connexion") })
            #expect(try await retention.apply(now: now, notice: a.notice(), logger: Self.logger)[.agentsWarned] == 0, "warned once")

            // One signs in after the warning; a month later only the other is deactivated.
            try await a.database.transaction { connection in
                try await AuditLog(connection).record(.signInSucceeded, actor: returning.id, subject: returning.id, ip: "192.0.2.1")
            }
            let later = now.addingTimeInterval(31 * 86_400)
            let second = try await retention.apply(now: later, notice: a.notice(), logger: Self.logger)
            #expect(second[.agentsDeactivated] == 1)
            let disabled = try await a.database.transaction { connection in
                try await connection.query("SELECT id FROM agents WHERE disabled_at IS NOT NULL").decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
            }
            #expect(disabled == [sleeper.id])
            #expect(try await a.database.transaction { connection in
                try await connection.query("SELECT count(*)::int FROM agent_inactivity_notices").decode(Int.self).first { _ in true }
            } == 0, "the comeback's warning is cleared, the deactivated one's closed")
            _ = admin
        }
    }

    @Test func theTrailAndTheJournalsAddressesAgeOutOnlyThroughRetention() async throws {
        try await TestWorld.run { world in
            let a = try await Place.make(world, name: "Alpha")
            let usager = try await a.usager(days: 10)
            try await a.database.transaction { connection in
                try await AccessTrail(connection).record(.viewed, usagers: [usager], by: .init(agentID: a.agent, ip: "192.0.2.7"))
                try await connection.query("""
                    INSERT INTO usager_access_trail (occurred_at, usager_id, agent_id, action) VALUES (now() - interval '400 days', \(usager), \(a.agent), 'searched')
                    """)
                try await connection.query("INSERT INTO audit_events (occurred_at, action, ip) VALUES (now() - interval '400 days', 'sign_in.failed', '192.0.2.9')")
                try await connection.query("INSERT INTO audit_events (action, ip) VALUES ('sign_in.failed', '192.0.2.10')")
            }
            // The département's role can neither remove a recent access nor touch the journal but
            // to clear the address of an old entry; each refusal leaves everything as it was.
            await #expect(throws: (any Error).self) {
                try await a.database.transaction { try await $0.query("DELETE FROM usager_access_trail") }
            }
            await #expect(throws: (any Error).self) {
                try await a.database.transaction { try await $0.query("UPDATE usager_access_trail SET action = 'changed'") }
            }
            await #expect(throws: (any Error).self) {
                try await a.database.transaction { try await $0.query("UPDATE audit_events SET ip = NULL") }
            }
            await #expect(throws: (any Error).self) {
                try await a.database.transaction { try await $0.query("UPDATE audit_events SET action = 'x' WHERE occurred_at < now() - interval '1 year'") }
            }
            await #expect(throws: (any Error).self) {
                try await a.database.transaction { try await $0.query("DELETE FROM audit_events") }
            }
            let done = try await Retention(database: a.database).apply(now: Date(), notice: a.notice(), logger: Self.logger)
            #expect(done[.accessTrail] == 1)
            #expect(done[.journalAddresses] == 1)
            let left = try await a.database.transaction { try await AccessTrail($0).entries(of: usager) }
            #expect(left.map(\.action) == [.viewed])
            #expect(left.first?.ip == "192.0.2.7")
            #expect(left.first?.agentName == "Prénom Nom-agent")
        }
    }
}

