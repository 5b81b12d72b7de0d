import Foundation
import PostgresNIO
import Tenancy

/// The webhook channel of the messages table: claims events in order per resource and endpoint
/// (an event leaves only when every earlier one of the same record is sent or given up),
/// records each attempt with its status, duration and answer, retries with backoff for three
/// days, then dead-letters.
public struct WebhookQueue: Sendable {
    public static let lease: TimeInterval = 120
    /// Events older than this are given up (set on capture as the message's expiry).
    public static let lifetime: TimeInterval = 3 * 86_400

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Reserves due events whose predecessors on the same resource are done, oldest first.
    public func claim(now: Date, limit: Int) async throws -> [WebhookDelivery] {
        var claimed: [WebhookDelivery] = []
        for try await row in try await connection.query(
            """
            UPDATE messages m SET state = 'sending', attempts = m.attempts + 1, locked_until = \(now.addingTimeInterval(Self.lease))
            FROM (
                SELECT q.id FROM messages q
                WHERE q.channel = 'webhook' AND q.state = 'queued' AND q.next_attempt_at <= \(now) AND q.not_before <= \(now)
                  AND NOT EXISTS (
                      SELECT 1 FROM messages p
                      WHERE p.channel = 'webhook' AND p.webhook_endpoint_id = q.webhook_endpoint_id AND p.webhook_model = q.webhook_model
                        AND p.webhook_record = q.webhook_record AND p.webhook_sequence < q.webhook_sequence AND p.state IN ('queued', 'sending'))
                ORDER BY q.webhook_sequence LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ) due
            WHERE m.id = due.id
            RETURNING m.id, m.webhook_endpoint_id, m.webhook_model, m.webhook_record, m.webhook_event, m.webhook_reason, m.attempts, m.body, m.created_at,
                m.webhook_sequence
            """
        ).decode((UUID, UUID, String, String, String, String?, Int, String, Date, Int64).self) {
            guard let model = WebhookModel(rawValue: row.2), let event = WebhookEvent(rawValue: row.4) else { continue }
            claimed.append(WebhookDelivery(
                id: row.0, endpointID: row.1, model: model, record: row.3, event: event, reason: row.5, attempts: row.6, body: row.7, capturedAt: row.8
            ))
        }
        return claimed
    }

    /// Keeps the rendered body so that retries post the same bytes.
    func store(body: String, of id: UUID) async throws {
        try await connection.query("UPDATE messages SET body = \(body) WHERE id = \(id)")
    }

    /// Records an attempt and what comes next: sent, another try later, or the dead letters.
    public func record(_ delivery: WebhookDelivery, _ response: WebhookResponse, now: Date) async throws {
        let error = response.error ?? response.statusCode.map { "HTTP \($0)" } ?? "pas de réponse"
        switch response.statusCode {
        case .some(200..<300):
            try await connection.query(
                "UPDATE messages SET state = 'sent', sent_at = \(now), locked_until = NULL, last_error = NULL WHERE id = \(delivery.id)"
            )
            try await attempt(delivery.id, "sent", "", response, now)
        case .some(410):
            let reason = "le destinataire a répondu 410 (supprimé)"
            try await connection.query(
                "UPDATE messages SET state = 'dead', locked_until = NULL, last_error = \(reason) WHERE id = \(delivery.id)"
            )
            try await attempt(delivery.id, "permanent_failure", reason, response, now)
            try await WebhookEndpointRepository(connection).disable(delivery.endpointID, reason: reason)
        default:
            let retry = now.addingTimeInterval(Self.backoff(afterAttempt: delivery.attempts))
            try await connection.query(
                """
                UPDATE messages SET state = CASE WHEN expires_at < \(retry) THEN 'dead' ELSE 'queued' END,
                    next_attempt_at = \(retry), locked_until = NULL, last_error = \(error)
                WHERE id = \(delivery.id)
                """
            )
            try await attempt(delivery.id, "temporary_failure", error, response, now)
        }
    }

    /// The endpoint was removed or turned off meanwhile: the event is dropped.
    func drop(_ delivery: WebhookDelivery, reason: String) async throws {
        try await connection.query("UPDATE messages SET state = 'cancelled', locked_until = NULL, last_error = \(reason) WHERE id = \(delivery.id)")
    }

    /// 30 s, 1 min, 2 min… up to six hours, give or take a fifth: about twenty attempts in three days.
    public static func backoff(afterAttempt attempt: Int, jitter: Double = Double.random(in: 0.8...1.2)) -> TimeInterval {
        min(6 * 3600, 30 * pow(2, Double(max(0, attempt - 1)))) * jitter
    }

    func attempt(_ id: UUID, _ outcome: String, _ detail: String, _ response: WebhookResponse, _ now: Date) async throws {
        let duration = Int((response.duration * 1000).rounded())
        try await connection.query(
            """
            INSERT INTO message_attempts (message_id, outcome, detail, attempted_at, status_code, duration_ms, response_excerpt)
            VALUES (\(id), \(outcome), \(detail), \(now), \(response.statusCode), \(duration), \(response.excerpt))
            """
        )
    }
}
