import Foundation
import Identity
import Notifications
import PostgresNIO
import Scheduling
import Testing
import TestSupport
@testable import Tenancy
import Webhooks

/// A département with at least one row in every table of its schema: the online setup (agent,
/// lieu, motif, weekly plage), a second factor, and the rest written in SQL as the département's
/// role. `emptyTables` names the tables it still leaves empty, so that a new table fails the
/// round trip until the fixture fills it.
struct ArchiveFixture: Sendable {
    let setup: OnlineSetup
    let totp: TOTP
    static let smsKey = "cle-du-fournisseur-sms"

    static func make(_ world: TestWorld) async throws -> ArchiveFixture {
        let setup = try await OnlineSetup.make(world)
        let totp = try await world.enrolSecondFactor(setup.agent, in: setup.tenant)
        let sealedSMSKey = try CredentialBox(secret: TestWorld.secretKey).seal(smsKey)
        let agent = setup.agent.id, lieu = setup.lieuID, motif = setup.motifID, organisation = setup.organisation.id
        let account = UUID(), responsible = UUID(), relative = UUID(), sector = UUID(), entry = UUID()
        let monday = setup.clock.instant(setup.monday, LocalTime("09:00")!)
        let notes = "Notes : « guillemets », \"doubles\", virgule, tab\tet\nretour \\ antislash"
        let body = "Bonjour,\n\tà lundi ; « RDV »"
        let rdvs = ["unknown", "seen", "noshow", "excused", "revoked"].enumerated().map { (UUID(), $0.element, $0.offset) }
        try await world.database.tenant(setup.tenant).transaction { connection in
            let plage = try await connection.query("SELECT id FROM plages_ouverture").collect()[0].decode(UUID.self)
            try await connection.query(
                "UPDATE notification_settings SET sms_provider = 'http_json', sms_endpoint = 'https://sms.exemple.fr/envoi', sms_api_key_sealed = \(sealedSMSKey)"
            )
            let statements: [PostgresQuery] = [
                "INSERT INTO agent_services (agent_id, service_id) SELECT \(agent), id FROM services",
                "INSERT INTO agent_sessions (token_hash, agent_id, expires_at, user_agent) VALUES (sha256('session'), \(agent), now() + interval '1 hour', 'Navigateur')",
                "INSERT INTO agent_tokens (token_hash, agent_id, purpose, expires_at) VALUES (sha256('jeton'), \(agent), 'password_reset', now() + interval '1 day')",
                "INSERT INTO agent_recovery_codes (code_hash, agent_id) VALUES (sha256('secours'), \(agent))",
                "INSERT INTO throttles (key, failures) VALUES ('connexion:quelqu-un', 2)",
                "INSERT INTO audit_events (action, actor_agent_id, ip, details) VALUES ('agent.signed_in', \(agent), '10.0.0.1', '{\"via\": \"test\"}')",
                """
                INSERT INTO usager_accounts (id, email, first_name, last_name, password_hash, email_confirmed_at)
                VALUES (\(account), 'lea.martin@exemple.fr', 'Léa', 'Martin', '$argon2id$v=19$faux', now())
                """,
                "INSERT INTO usager_sessions (token_hash, account_id, expires_at) VALUES (sha256('session usager'), \(account), now() + interval '1 hour')",
                "INSERT INTO usager_tokens (token_hash, account_id, purpose, expires_at) VALUES (sha256('confirmation'), \(account), 'email_confirmation', now() + interval '1 day')",
                "INSERT INTO usager_recovery_codes (code_hash, account_id) VALUES (sha256('secours usager'), \(account))",
                """
                INSERT INTO plage_exceptions (plage_id, original_day, cancelled, moved_day, moved_start, moved_end)
                VALUES (\(plage), \(setup.monday.adding(days: 28).description)::date, true, NULL, NULL, NULL),
                       (\(plage), \(setup.monday.adding(days: 35).description)::date, false, \(setup.monday.adding(days: 36).description)::date, '14:00', '15:00')
                """,
                """
                INSERT INTO absences (agent_id, title, first_day, start_time, end_time, recurrence)
                VALUES (\(agent), 'Formation', \(setup.monday.adding(days: 42).description)::date, '09:00', '12:00',
                        '{"kind": "weekly", "interval": 2, "weekdays": [1], "until": "2030-06-30"}')
                """,
                """
                INSERT INTO usagers (id, first_name, last_name, birth_date, email, phone, account_id)
                VALUES (\(responsible), 'Léa', 'Martin', '1990-04-02', 'lea.martin@exemple.fr', '+33612345678', \(account))
                """,
                "INSERT INTO usagers (id, first_name, last_name, birth_date, responsible_id) VALUES (\(relative), 'Noé', 'Martin', '2022-01-15', \(responsible))",
                "INSERT INTO usager_referents (usager_id, agent_id) VALUES (\(responsible), \(agent))",
                "INSERT INTO sectors (id, name) VALUES (\(sector), 'Arras centre')",
                """
                INSERT INTO sector_zones (sector_id, commune_code, commune_name, commune_key, street_name, street_key)
                VALUES (\(sector), '62041', 'Arras', 'arras', NULL, ''), (\(sector), '62498', 'Lens', 'lens', 'Rue de la Gare', 'rue de la gare')
                """,
                "INSERT INTO sector_attributions (sector_id, organisation_id, agent_id) VALUES (\(sector), \(organisation), NULL), (\(sector), \(organisation), \(agent))",
                """
                INSERT INTO booking_limits (key, window_start, hits) VALUES (sha256('adresse'), date_trunc('hour', now()), 3)
                """,
                """
                INSERT INTO waiting_list (id, motif_id, lieu_id, details, token_hash, offers_sent, last_offer_at)
                VALUES (\(entry), \(motif), \(lieu), '{"prenom": "Léa", "nom": "Martin"}', sha256('liste'), 1, now())
                """,
                """
                INSERT INTO waiting_list_offers (entry_id, lieu_id, starts_at, token_hash, expires_at)
                VALUES (\(entry), \(lieu), \(monday.addingTimeInterval(7 * 86_400)), sha256('offre'), now() + interval '1 hour')
                """,
            ]
            for statement in statements { try await connection.query(statement) }
            // One RDV in each status, in the past so that they leave the coming slots free.
            for (id, status, offset) in rdvs {
                let start = monday.addingTimeInterval(Double(-7 * 86_400 * (offset + 1)))
                let end = start.addingTimeInterval(1800)
                try await connection.query("""
                    INSERT INTO rdvs (id, motif_id, lieu_id, starts_at, ends_at, status, created_by, created_by_agent_id, notes, prescripteur)
                    VALUES (\(id), \(motif), \(lieu), \(start), \(end), \(status), 'agent', \(agent),
                            \(notes), '{"nom": "Partenaire"}')
                    """)
                try await connection.query(
                    "INSERT INTO rdv_agents (rdv_id, agent_id, during, active) VALUES (\(id), \(agent), tstzrange(\(start), \(end)), \(status != "revoked"))"
                )
                try await connection.query("INSERT INTO rdv_participants (rdv_id, usager_id, status) VALUES (\(id), \(relative), \(status))")
                try await connection.query("INSERT INTO rdv_events (rdv_id, actor_agent_id, action, details) VALUES (\(id), \(agent), 'created', '{}')")
            }
            let first = rdvs[0].0
            try await connection.query("""
                INSERT INTO booking_requests (token_hash, code_hash, motif_id, lieu_id, starts_at, details, usager_account_id, channel, expires_at, rdv_id)
                VALUES (sha256('demande'), sha256('123456'), \(motif), \(lieu), \(monday), '{"pour": "moi"}', \(account), 'email', now() + interval '1 hour', \(first))
                """)
            let message = UUID()
            try await connection.query("""
                INSERT INTO messages (id, channel, kind, recipient, subject, body, rdv_id, state, sent_at)
                VALUES (\(message), 'email', 'confirmation', 'lea.martin@exemple.fr', 'Rendez-vous confirmé', \(body), \(first), 'sent', now())
                """)
            try await connection.query("INSERT INTO message_attempts (message_id, outcome, detail) VALUES (\(message), 'sent', '250 OK')")
            try await connection.query("INSERT INTO calendar_feeds (agent_id, token_hash, last_used_at) VALUES (\(agent), sha256('feed'), now())")
            // Personal data over time: a warning, a retention pass, an access to a record.
            try await connection.query("INSERT INTO agent_inactivity_notices (agent_id, deactivates_at) VALUES (\(agent), now() + interval '30 days')")
            try await connection.query("INSERT INTO retention_runs (counts) VALUES ('{\"rdvs\": 1}')")
            let importID = UUID()
            try await connection.query("INSERT INTO usager_imports (id, agent_id, created_count, completed_count, skipped_count) VALUES (\(importID), \(agent), 1, 0, 0)")
            try await connection.query("INSERT INTO usager_import_records (import_id, usager_id) SELECT \(importID), usager_id FROM rdv_participants LIMIT 1")
            try await connection.query("""
                INSERT INTO usager_access_trail (usager_id, agent_id, action, ip) SELECT usager_id, \(agent), 'viewed', '192.0.2.1' FROM rdv_participants LIMIT 1
                """)
            // An API token with a call, a kept answer, a hold; the first appointment made through it.
            let token = try #require(try await connection.query("""
                INSERT INTO api_tokens (agent_id, name, token_hash, prefix, scopes, expires_at, last_used_at)
                VALUES (\(agent), 'Logiciel de suivi', sha256('jeton'), 'rdv_abcdef', ARRAY['read', 'write'], now() + interval '30 days', now())
                RETURNING id
                """).decode(UUID.self).first { _ in true })
            try await connection.query("INSERT INTO api_calls (token_id, method, route, status) VALUES (\(token), 'GET', '/api/v1/rdvs', 200)")
            try await connection.query(
                "INSERT INTO api_idempotency (token_id, key, fingerprint, status, location, body) VALUES (\(token), 'cle-1', sha256('requete'), 201, '/api/v1/rdvs/x', '{}')"
            )
            try await connection.query("UPDATE rdvs SET created_by_api_token_id = \(token), created_by = 'api' WHERE id = \(first)")
            try await connection.query("""
                INSERT INTO slot_holds (agent_id, motif_id, lieu_id, during, expires_at, token_id)
                VALUES (\(agent), \(motif), \(lieu), tstzrange('2031-03-03 09:00+01', '2031-03-03 09:30+01'), now() + interval '5 minutes', \(token))
                """)
            // A webhook endpoint after a rotation (both secrets sealed) and one of its deliveries, answered.
            let box = WebhookSecretBox(platformSecret: TestWorld.secretKey)
            let (current, former) = (try box.seal(WebhookSecret.generate()), try box.seal(WebhookSecret.generate()))
            let endpoint = try #require(try await connection.query("""
                INSERT INTO webhook_endpoints (organisation_id, url, description, models, secret_sealed, previous_secret_sealed, previous_secret_until)
                VALUES (\(organisation), 'https://suivi.exemple.fr/rdv', 'Logiciel de suivi', ARRAY['rdv', 'lieu'], \(current), \(former), now() + interval '1 day')
                RETURNING id
                """).decode(UUID.self).first { _ in true })
            let delivery = try #require(try await connection.query("""
                INSERT INTO messages (channel, kind, recipient, body, state, webhook_endpoint_id, webhook_model, webhook_record, webhook_event, webhook_sequence)
                VALUES ('webhook', 'webhook', '', '', 'sent', \(endpoint), 'lieu', \(lieu.uuidString.lowercased()), 'created', nextval('webhook_sequence'))
                RETURNING id
                """).decode(UUID.self).first { _ in true })
            try await connection.query(
                "INSERT INTO message_attempts (message_id, outcome, detail, status_code, duration_ms, response_excerpt) VALUES (\(delivery), 'sent', '', 200, 42, 'ok')"
            )
        }
        return ArchiveFixture(setup: setup, totp: totp)
    }

    /// Tables of the schema with no row.
    static func emptyTables(of tenant: Tenant, in world: TestWorld) async throws -> [String] {
        var empty: [String] = []
        for table in try await tableNames(of: tenant, in: world) {
            let count = try await world.owner.client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(quoted(tenant.schemaName)).\(quoted(table))"), logger: world.owner.logger
            ).collect()[0].decode(Int.self)
            if count == 0 { empty.append(table) }
        }
        return empty
    }

    static func tableNames(of tenant: Tenant, in world: TestWorld) async throws -> [String] {
        try await world.owner.client.query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = \(tenant.schemaName) AND tablename <> 'schema_migrations' ORDER BY 1",
            logger: world.owner.logger
        ).collect().map { try $0.decode(String.self) }
    }

    /// An MD5 of every row of every table, without the `excluded` columns (`table.column`).
    static func contentHashes(of tenant: Tenant, in world: TestWorld, excluding excluded: Set<String>) async throws -> [String: String] {
        var hashes: [String: String] = [:]
        for table in try await tableNames(of: tenant, in: world) {
            let columns = try await world.owner.client.query(
                """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = \(tenant.schemaName) AND table_name = \(table) ORDER BY ordinal_position
                """,
                logger: world.owner.logger
            ).collect().map { try $0.decode(String.self) }.filter { !excluded.contains("\(table).\($0)") }
            let list = columns.map(quoted).joined(separator: ", ")
            hashes[table] = try await world.owner.client.query(
                PostgresQuery(unsafeSQL: """
                    SELECT count(*)::text || ':' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '')
                    FROM (SELECT \(list) FROM \(quoted(tenant.schemaName)).\(quoted(table))) r
                    """),
                logger: world.owner.logger
            ).collect()[0].decode(String.self)
        }
        return hashes
    }

    /// The archive type as `rdv tenants` builds it, with the test application's key.
    static func archive(_ world: TestWorld, secretKey: Data = TestWorld.secretKey) -> TenantArchive {
        TenantArchive(
            owner: world.owner, catalog: world.catalog,
            platformSeals: SecondFactor(secret: secretKey).archiveSeals.merging(CredentialBox(secret: secretKey).archiveSeals) { $1 }
                .merging(WebhookSecretBox(platformSecret: secretKey).archiveSeals) { $1 }
        )
    }
}
