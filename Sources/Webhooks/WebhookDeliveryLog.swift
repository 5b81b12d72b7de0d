import Foundation
import PostgresNIO
import Tenancy

/// One event to one endpoint, with its attempts, as the delivery log shows it.
public struct WebhookLogEntry: Sendable, Hashable, Identifiable {
    public struct Attempt: Sendable, Hashable {
        public let at: Date
        public let statusCode: Int?
        public let durationMilliseconds: Int?
        public let error: String
    }

    public let id: UUID
    public let model: WebhookModel
    public let record: String
    public let event: WebhookEvent
    public let reason: String?
    public let state: String
    public let createdAt: Date
    public let nextAttemptAt: Date
    public let attempts: [Attempt]

    public var frenchState: String {
        switch state {
        case "queued": attempts.isEmpty ? "en attente" : "nouvel essai prévu"
        case "sending": "en cours d’envoi"
        case "sent": "remis"
        case "dead": "abandonné"
        default: "annulé"
        }
    }
}

/// Reading an endpoint's deliveries, replaying one, and queuing everything again for a resync.
public struct WebhookDeliveryLog: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// The latest deliveries of one endpoint, newest first, with every attempt.
    public func entries(of endpointID: UUID, limit: Int = 100) async throws -> [WebhookLogEntry] {
        var rows: [(UUID, String, String, String, String?, String, Date, Date)] = []
        for try await row in try await connection.query(
            """
            SELECT id, webhook_model, webhook_record, webhook_event, webhook_reason, state, created_at, next_attempt_at FROM messages
            WHERE channel = 'webhook' AND webhook_endpoint_id = \(endpointID) ORDER BY webhook_sequence DESC LIMIT \(limit)
            """
        ).decode((UUID, String, String, String, String?, String, Date, Date).self) { rows.append(row) }
        var attempts: [UUID: [WebhookLogEntry.Attempt]] = [:]
        let ids = rows.map(\.0)
        for try await (id, at, status, duration, detail) in try await connection.query(
            """
            SELECT message_id, attempted_at, status_code, duration_ms, detail FROM message_attempts
            WHERE message_id = ANY (\(ids)) ORDER BY id
            """
        ).decode((UUID, Date, Int?, Int?, String).self) {
            attempts[id, default: []].append(.init(at: at, statusCode: status, durationMilliseconds: duration, error: detail))
        }
        return rows.compactMap { row in
            guard let model = WebhookModel(rawValue: row.1), let event = WebhookEvent(rawValue: row.3) else { return nil }
            return WebhookLogEntry(
                id: row.0, model: model, record: row.2, event: event, reason: row.4, state: row.5, createdAt: row.6, nextAttemptAt: row.7,
                attempts: attempts[row.0] ?? []
            )
        }
    }

    /// Sends one delivery again, as a new event at the end of its resource's line, its data
    /// read afresh (an old copy arriving after newer events would undo them at the receiver).
    /// False when the endpoint has no such delivery.
    public func replay(_ deliveryID: UUID, of endpointID: UUID) async throws -> Bool {
        for try await _ in try await connection.query(
            """
            INSERT INTO messages (channel, kind, recipient, body, webhook_endpoint_id, webhook_model, webhook_record, webhook_event,
                                  webhook_reason, webhook_sequence, expires_at)
            SELECT 'webhook', 'webhook', '', '', webhook_endpoint_id, webhook_model, webhook_record, webhook_event, webhook_reason,
                nextval('webhook_sequence'), now() + interval '3 days'
            FROM messages WHERE id = \(deliveryID) AND channel = 'webhook' AND webhook_endpoint_id = \(endpointID)
            RETURNING id
            """
        ) { return true }
        return false
    }

    /// Queues an `updated` event with reason `resync` for every record of the endpoint's
    /// organisation in its subscribed models; returns how many.
    public func resendAll(to endpoint: WebhookEndpoint) async throws -> Int {
        var total = 0
        for model in endpoint.models {
            let (table, key) = Self.source(of: model)
            for try await count in try await connection.query(
                """
                WITH queued AS (
                    INSERT INTO messages (channel, kind, recipient, body, webhook_endpoint_id, webhook_model, webhook_record, webhook_event,
                                          webhook_reason, webhook_sequence, expires_at)
                    SELECT 'webhook', 'webhook', '', '', \(endpoint.id), \(model.rawValue), \(unescaped: key), 'updated', 'resync',
                        nextval('webhook_sequence'), now() + interval '3 days'
                    FROM \(unescaped: table) t
                    WHERE \(endpoint.organisationID) = ANY (webhook_organisations(\(model.rawValue), to_jsonb(t)))
                    RETURNING 1
                ) SELECT count(*)::int FROM queued
                """
            ).decode(Int.self) { total += count }
        }
        return total
    }

    /// The table of a model and the SQL of a record's key (constants, never input).
    static func source(of model: WebhookModel) -> (table: String, key: String) {
        switch model {
        case .rdv: ("rdvs", "t.id::text")
        case .participant: ("rdv_participants", "t.rdv_id::text || '/' || t.usager_id::text")
        case .usager: ("usagers", "t.id::text")
        case .absence: ("absences", "t.id::text")
        case .plage: ("plages_ouverture", "t.id::text")
        case .motif: ("motifs", "t.id::text")
        case .lieu: ("lieux", "t.id::text")
        case .agent: ("agents", "t.id::text")
        }
    }
}
