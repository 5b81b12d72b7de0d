import Foundation
import Logging
import Agenda
import Notifications
import PostgresNIO
import Scheduling
import Tenancy

/// What retention removes or anonymises, one kind at a time.
public enum RetentionKind: String, CaseIterable, Sendable, Codable {
    case rdvs
    case usagers
    case usagerAccounts = "usager_accounts"
    case messages
    case waitingList = "waiting_list"
    case bookingRequests = "booking_requests"
    case agentsWarned = "agents_warned"
    case agentsDeactivated = "agents_deactivated"
    case apiCalls = "api_calls"
    case accessTrail = "access_trail"
    case journalAddresses = "journal_addresses"
    case sessions

    public var french: String {
        switch self {
        case .rdvs: "Rendez-vous supprimés"
        case .usagers: "Usagers supprimés"
        case .usagerAccounts: "Comptes usagers en ligne supprimés"
        case .messages: "Messages anonymisés (contenu et accusés)"
        case .waitingList: "Inscriptions closes en liste d’attente anonymisées"
        case .bookingRequests: "Demandes de réservation expirées supprimées"
        case .agentsWarned: "Agents inactifs avertis"
        case .agentsDeactivated: "Agents inactifs désactivés"
        case .apiCalls: "Appels à l’API effacés du journal"
        case .accessTrail: "Traces d’accès aux dossiers effacées"
        case .journalAddresses: "Adresses IP effacées du journal de sécurité"
        case .sessions: "Sessions et liens expirés supprimés"
        }
    }
}

/// Counts per kind (a pass, or what a pass would do).
public struct RetentionCounts: Sendable, Hashable, Codable {
    public var byKind: [RetentionKind: Int] = [:]

    public init() {}

    public subscript(kind: RetentionKind) -> Int {
        get { byKind[kind] ?? 0 }
        set { byKind[kind] = newValue }
    }

    public var total: Int { byKind.values.reduce(0, +) }

    public static func + (left: RetentionCounts, right: RetentionCounts) -> RetentionCounts {
        var sum = left
        for (kind, count) in right.byKind { sum[kind] += count }
        return sum
    }

    /// `{"rdvs": 3, …}` for the runs table and the command line.
    public var json: String {
        let pairs = RetentionKind.allCases.map { "\"\($0.rawValue)\": \(self[$0])" }
        return "{" + pairs.joined(separator: ", ") + "}"
    }
}

/// The retention rules of one département, with the durations of its `retention_settings`.
/// `preview` counts what a pass would do; `apply` does it, in short transactions of at most
/// `batch` rows so that agents working meanwhile are never held up. Both read the same rules.
/// Deletions carry webhook reason `rgpd`. Statistics already counted stay (see
/// `StatisticsCollector.changedDays`): retention deletes rows, never figures.
public struct Retention: Sendable {
    /// What an inactive agent's warning says: the département's name and its sign-in address.
    public struct Notice: Sendable {
        public let departement: String
        public let signInURL: String
        public let clock: WallClock

        public init(departement: String, signInURL: String, clock: WallClock) {
            self.departement = departement
            self.signInURL = signInURL
            self.clock = clock
        }
    }

    let database: TenantDatabase
    let batch: Int

    public init(database: TenantDatabase, batch: Int = 500) {
        self.database = database
        self.batch = batch
    }

    /// What a pass at `now` would remove or anonymise, per kind (nothing is written).
    public func preview(now: Date) async throws -> RetentionCounts {
        try await database.transaction { connection in
            var counts = RetentionCounts()
            for rule in Rule.all {
                counts[rule.kind] = try await count(rule.candidates, connection, now)
            }
            counts[.agentsWarned] = try await count(AgentRules.toWarn, after: AgentRules.activity, connection, now)
            counts[.agentsDeactivated] = try await count(AgentRules.toDeactivate, after: AgentRules.activity, connection, now)
            return counts
        }
    }

    /// One pass: every rule until nothing is left, then the record of the pass.
    @discardableResult
    public func apply(now: Date, notice: Notice, logger: Logger) async throws -> RetentionCounts {
        var counts = RetentionCounts()
        for rule in Rule.all {
            counts[rule.kind] = try await run(rule, now)
        }
        counts = counts + (try await agents(now: now, notice: notice))
        let summary = counts
        try await database.transaction { connection in
            try await connection.query("INSERT INTO retention_runs (ran_at, counts) VALUES (\(now), \(summary.json)::jsonb)")
        }
        var metadata: Logger.Metadata = [:]
        for (kind, count) in counts.byKind where count > 0 { metadata[kind.rawValue] = .stringConvertible(count) }
        logger.info("retention pass", metadata: metadata)
        return counts
    }

    /// The last passes, newest first.
    public func recentRuns(limit: Int = 10) async throws -> [(ranAt: Date, counts: RetentionCounts)] {
        try await database.transaction { connection in
            var runs: [(Date, RetentionCounts)] = []
            for try await (ranAt, json) in try await connection.query(
                "SELECT ran_at, counts::text FROM retention_runs ORDER BY id DESC LIMIT \(limit)"
            ).decode((Date, String).self) {
                var counts = RetentionCounts()
                if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Int] {
                    for (key, value) in object { if let kind = RetentionKind(rawValue: key) { counts[kind] = value } }
                }
                runs.append((ranAt, counts))
            }
            return runs
        }
    }

    // MARK: - Rules

    /// A rule: the candidates (a SELECT of ids, `$1` the pass's time), and what one batch does
    /// to `$2` of them (the action reads them from `chosen`). Durations come from the settings
    /// table in the same statement.
    struct Rule: Sendable {
        enum Action: Sendable {
            /// A statement over `chosen`, the next batch of candidates, repeated until none is left.
            case batches(String)
            /// One statement over every candidate that returns how many rows it changed, as one
            /// integer (`Rule.counted` makes one from a plain DELETE or UPDATE).
            case once(String)
        }

        let kind: RetentionKind

        /// A DELETE or UPDATE made to return how many rows it changed.
        static func counted(_ statement: String) -> String {
            "WITH changed AS (\(statement) RETURNING 1) SELECT count(*)::int FROM changed"
        }
        let candidates: String
        /// Candidates a batch may take: narrower when order matters (a usager's relatives first).
        let ready: String?
        let action: Action

        init(_ kind: RetentionKind, candidates: String, ready: String? = nil, action: Action) {
            self.kind = kind
            self.candidates = candidates
            self.ready = ready
            self.action = action
        }

        static let usagerCutoff = "$1::timestamptz - make_interval(months => (SELECT usager_months FROM retention_settings))"
        static let messageCutoff = "$1::timestamptz - make_interval(months => (SELECT message_months FROM retention_settings))"
        static let trailCutoff = "$1::timestamptz - make_interval(months => (SELECT trail_months FROM retention_settings))"

        static let rdvCutoff = "$1::timestamptz - make_interval(months => (SELECT rdv_months FROM retention_settings))"

        /// A usager (`alias`) kept by nothing: no appointment kept (the ones the appointments'
        /// rule removes go first in a pass), no change and no online sign-in for the period.
        static func keptByNothing(_ u: String) -> String {
            """
            \(u).created_at < \(usagerCutoff) AND \(u).updated_at < \(usagerCutoff)
              AND NOT EXISTS (SELECT 1 FROM rdv_participants p JOIN rdvs r ON r.id = p.rdv_id WHERE p.usager_id = \(u).id AND r.ends_at >= \(rdvCutoff))
              AND NOT EXISTS (SELECT 1 FROM usager_sessions se WHERE se.account_id = \(u).account_id AND se.last_seen_at >= \(usagerCutoff))
            """
        }

        static let all: [Rule] = [
            Rule(
                .rdvs,
                candidates: """
                    SELECT id FROM rdvs WHERE ends_at < \(rdvCutoff)
                    """,
                action: .batches("DELETE FROM rdvs WHERE id IN (SELECT id FROM chosen)")
            ),
            // Relatives go before whoever is responsible for them (a batch takes only those
            // responsible for nobody left); someone responsible for a relative still kept stays.
            Rule(
                .usagers,
                candidates: """
                    SELECT u.id FROM usagers u WHERE \(keptByNothing("u"))
                      AND NOT EXISTS (SELECT 1 FROM usagers c WHERE c.responsible_id = u.id AND NOT (\(keptByNothing("c"))))
                    """,
                ready: """
                    SELECT u.id FROM usagers u WHERE \(keptByNothing("u"))
                      AND NOT EXISTS (SELECT 1 FROM usagers c WHERE c.responsible_id = u.id)
                    """,
                action: .batches("DELETE FROM usagers WHERE id IN (SELECT id FROM chosen)")
            ),
            Rule(
                .usagerAccounts,
                candidates: """
                    SELECT a.id FROM usager_accounts a WHERE a.updated_at < \(usagerCutoff)
                      AND NOT EXISTS (SELECT 1 FROM usagers u WHERE u.account_id = a.id)
                      AND NOT EXISTS (SELECT 1 FROM usager_sessions se WHERE se.account_id = a.id AND se.last_seen_at >= \(usagerCutoff))
                    """,
                action: .batches("DELETE FROM usager_accounts WHERE id IN (SELECT id FROM chosen)")
            ),
            Rule(
                .messages,
                candidates: """
                    SELECT id FROM messages WHERE anonymised_at IS NULL AND state NOT IN ('queued', 'sending') AND created_at < \(messageCutoff)
                    """,
                action: .batches("""
                    , attempts AS (
                        UPDATE message_attempts SET detail = '', response_excerpt = NULL WHERE message_id IN (SELECT id FROM chosen) RETURNING 1)
                    UPDATE messages SET recipient = '', subject = '', body = '', html = NULL, calendar = NULL, last_error = NULL,
                        provider_reference = NULL, anonymised_at = $1
                    WHERE id IN (SELECT id FROM chosen)
                    """)
            ),
            Rule(
                .waitingList,
                candidates: """
                    SELECT id FROM waiting_list WHERE NOT active AND anonymised_at IS NULL AND created_at < \(messageCutoff)
                    """,
                action: .batches("UPDATE waiting_list SET details = '{}'::jsonb, anonymised_at = $1 WHERE id IN (SELECT id FROM chosen)")
            ),
            Rule(
                .bookingRequests,
                candidates: "SELECT id FROM booking_requests WHERE expires_at < \(messageCutoff)",
                action: .batches("DELETE FROM booking_requests WHERE id IN (SELECT id FROM chosen)")
            ),
            Rule(
                .apiCalls,
                candidates: """
                    SELECT id FROM api_calls WHERE occurred_at < $1::timestamptz - make_interval(days => (SELECT api_call_days FROM retention_settings))
                    """,
                action: .batches("DELETE FROM api_calls WHERE id IN (SELECT id FROM chosen)")
            ),
            Rule(
                .accessTrail,
                candidates: "SELECT id FROM usager_access_trail WHERE occurred_at < \(trailCutoff)",
                action: .once(Rule.counted("DELETE FROM usager_access_trail WHERE occurred_at < \(trailCutoff)"))
            ),
            Rule(
                .journalAddresses,
                candidates: "SELECT id FROM audit_events WHERE ip IS NOT NULL AND occurred_at < \(trailCutoff)",
                action: .once(Rule.counted("UPDATE audit_events SET ip = NULL WHERE ip IS NOT NULL AND occurred_at < \(trailCutoff)"))
            ),
            Rule(
                .sessions,
                candidates: """
                    SELECT token_hash FROM agent_sessions WHERE expires_at < $1::timestamptz - interval '1 day'
                    UNION ALL SELECT token_hash FROM agent_tokens WHERE expires_at < $1::timestamptz - interval '1 day'
                    UNION ALL SELECT token_hash FROM usager_sessions WHERE expires_at < $1::timestamptz - interval '1 day'
                    UNION ALL SELECT token_hash FROM usager_tokens WHERE expires_at < $1::timestamptz - interval '1 day'
                    """,
                action: .once("""
                    WITH a AS (DELETE FROM agent_sessions WHERE expires_at < $1::timestamptz - interval '1 day' RETURNING 1),
                         b AS (DELETE FROM agent_tokens WHERE expires_at < $1::timestamptz - interval '1 day' RETURNING 1),
                         c AS (DELETE FROM usager_sessions WHERE expires_at < $1::timestamptz - interval '1 day' RETURNING 1),
                         d AS (DELETE FROM usager_tokens WHERE expires_at < $1::timestamptz - interval '1 day' RETURNING 1)
                    SELECT ((SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) + (SELECT count(*) FROM d))::int
                    """)
            ),
        ]
    }

    /// Agents: last activity is the latest of their creation, sign-in, API use and appointment
    /// (a coming one counts). A département administrator is warned and deactivated only while
    /// another administrator was active within the period: a département never loses its last one.
    enum AgentRules {
        static let activity = """
            WITH activity AS (
                SELECT a.id, a.role, a.email, a.first_name, greatest(
                    a.created_at,
                    (SELECT max(e.occurred_at) FROM audit_events e WHERE e.action = 'sign_in.succeeded' AND e.actor_agent_id = a.id),
                    (SELECT max(t.last_used_at) FROM api_tokens t WHERE t.agent_id = a.id),
                    (SELECT max(r.starts_at) FROM rdv_agents ra JOIN rdvs r ON r.id = ra.rdv_id WHERE ra.agent_id = a.id)
                ) AS last_active
                FROM agents a WHERE a.disabled_at IS NULL
            ), inactive AS (
                SELECT x.* FROM activity x
                WHERE x.last_active < $1::timestamptz - make_interval(months => (SELECT agent_months FROM retention_settings))
                  AND (x.role <> 'dept_admin' OR EXISTS (
                      SELECT 1 FROM activity o WHERE o.role = 'dept_admin' AND o.id <> x.id
                        AND o.last_active >= $1::timestamptz - make_interval(months => (SELECT agent_months FROM retention_settings))))
            )
            """
        static let toWarn = """
            SELECT i.id FROM inactive i WHERE NOT EXISTS (SELECT 1 FROM agent_inactivity_notices n WHERE n.agent_id = i.id)
            """
        static let toDeactivate = """
            SELECT i.id FROM inactive i JOIN agent_inactivity_notices n ON n.agent_id = i.id WHERE n.deactivates_at <= $1
            """
    }

    private func query(_ sql: String, _ now: Date, batch: Int? = nil) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(now)
        if let batch { binds.append(batch) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    private func count(_ candidates: String, after prefix: String = "", _ connection: TenantConnection, _ now: Date) async throws -> Int {
        let sql = prefix + "SELECT count(*)::int FROM (\(candidates)) c"
        for try await total in try await connection.query(query(sql, now)).decode(Int.self) { return total }
        return 0
    }

    private func run(_ rule: Rule, _ now: Date) async throws -> Int {
        switch rule.action {
        case .once(let statement):
            return try await database.transaction { connection in
                for try await changed in try await connection.query(query(statement, now)).decode(Int.self) { return changed }
                return 0
            }
        case .batches(let statement):
            let source = rule.ready ?? rule.candidates
            let sql = "WITH chosen AS (\(source) LIMIT $2)" + (statement.hasPrefix(",") ? statement : "\n" + statement) + " RETURNING 1"
            var total = 0
            while true {
                let done = try await database.transaction { connection in
                    try await connection.query("SELECT set_config('rdv.webhook_reason', 'rgpd', true)")
                    var affected = 0
                    for try await _ in try await connection.query(query(sql, now, batch: batch)) { affected += 1 }
                    return affected
                }
                total += done
                // Until a batch finds nothing: a batch may make the next candidates ready (a
                // relative gone, the person responsible for them becomes one).
                if done == 0 { return total }
            }
        }
    }

    /// Comebacks clear their warning; the inactive are warned by email; those warned long
    /// enough ago are deactivated (their sessions closed), with webhook reason `rgpd`.
    private func agents(now: Date, notice: Notice) async throws -> RetentionCounts {
        try await database.transaction { connection in
            try await connection.query("SELECT set_config('rdv.webhook_reason', 'rgpd', true)")
            try await connection.query(query(AgentRules.activity + """
                DELETE FROM agent_inactivity_notices n
                WHERE NOT EXISTS (SELECT 1 FROM inactive i WHERE i.id = n.agent_id)
                   OR EXISTS (SELECT 1 FROM activity x WHERE x.id = n.agent_id AND x.last_active > n.warned_at)
                """, now))

            var counts = RetentionCounts()
            let settings = try await RetentionSettings.load(connection)
            let deadline = now.addingTimeInterval(Double(settings.agentNoticeDays) * 86_400)
            var warned: [(email: String, firstName: String)] = []
            for try await row in try await connection.query(query(AgentRules.activity + """
                , warned AS (
                    INSERT INTO agent_inactivity_notices (agent_id, warned_at, deactivates_at)
                    SELECT id, $1, $1::timestamptz + make_interval(days => (SELECT agent_notice_days FROM retention_settings))
                    FROM (\(AgentRules.toWarn)) w
                    RETURNING agent_id)
                SELECT i.email, i.first_name FROM inactive i JOIN warned w ON w.agent_id = i.id
                """, now)).decode((String, String).self) { warned.append(row) }
            let date = FrenchDates.day(notice.clock.localDate(of: deadline))
            for (email, firstName) in warned {
                try await MessageQueue(connection).enqueueEmail(
                    to: email, subject: "Votre compte RDV Solidarités sera désactivé le \(date)",
                    body: """
                        Bonjour \(firstName),

                        Votre compte d’agent sur RDV Solidarités (\(notice.departement)) n’a pas servi depuis \(settings.agentMonths) mois : \
                        ni connexion, ni rendez-vous. Pour protéger les données des usagers, il sera désactivé le \(date).

                        Pour le garder, connectez-vous d’ici là : \(notice.signInURL)

                        Si vous n’en avez plus besoin, vous n’avez rien à faire.
                        """,
                    expires: deadline
                )
            }
            counts[.agentsWarned] = warned.count

            var deactivated: [UUID] = []
            for try await id in try await connection.query(query(AgentRules.activity + """
                , due AS (\(AgentRules.toDeactivate)),
                closed AS (DELETE FROM agent_sessions WHERE agent_id IN (SELECT id FROM due) RETURNING 1),
                cleared AS (DELETE FROM agent_inactivity_notices WHERE agent_id IN (SELECT id FROM due) RETURNING 1)
                UPDATE agents SET disabled_at = $1, updated_at = $1 WHERE id IN (SELECT id FROM due) RETURNING id
                """, now)).decode(UUID.self) { deactivated.append(id) }
            counts[.agentsDeactivated] = deactivated.count
            return counts
        }
    }
}

