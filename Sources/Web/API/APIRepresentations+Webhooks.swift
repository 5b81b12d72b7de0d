import Foundation
import Webhooks

/// Webhook endpoints and their deliveries as the API writes them. An endpoint's secret is no
/// part of it: it appears once, in the answer that creates or rotates it.
extension APIRepresentations {
    func webhookEndpoint(_ endpoint: WebhookEndpoint) -> [String: Any] {
        [
            "id": endpoint.id.uuidString.lowercased(), "organisation_id": endpoint.organisationID.uuidString.lowercased(),
            "url": endpoint.url, "description": endpoint.description, "models": endpoint.models.map(\.rawValue),
            "enabled": endpoint.enabled, "disabled_reason": endpoint.disabledReason ?? NSNull(),
            "previous_secret_until": endpoint.previousSecretUntil.map(time.string) ?? NSNull(),
            "created_at": time.string(endpoint.createdAt),
        ]
    }

    /// The endpoint with its new secret, for the one answer that shows it.
    func webhookEndpoint(_ endpoint: WebhookEndpoint, secret: WebhookSecret) -> [String: Any] {
        webhookEndpoint(endpoint).merging(["secret": secret.text]) { $1 }
    }

    func webhookDelivery(_ entry: WebhookLogEntry) -> [String: Any] {
        [
            "id": entry.id.uuidString.lowercased(), "model": entry.model.rawValue, "record": entry.record, "event": entry.event.rawValue,
            "reason": entry.reason ?? NSNull(), "state": entry.state, "created_at": time.string(entry.createdAt),
            "next_attempt_at": time.string(entry.nextAttemptAt),
            "attempts": entry.attempts.map { attempt -> [String: Any] in
                [
                    "at": time.string(attempt.at), "status_code": attempt.statusCode ?? NSNull(),
                    "duration_ms": attempt.durationMilliseconds ?? NSNull(), "error": attempt.error,
                ]
            },
        ]
    }
}
