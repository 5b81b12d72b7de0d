import Agenda
import Foundation
import Webhooks

/// The webhook form's fields and the pages' rows.
enum WebhookForm {
    static func draft(from fields: [String: String]) -> WebhookEndpointDraft {
        WebhookEndpointDraft(
            organisationID: fields["organisation"].flatMap(UUID.init(uuidString:)) ?? UUID(),
            url: fields["url"] ?? "", description: fields["description"] ?? "",
            models: WebhookModel.allCases.filter { fields["model_\($0.rawValue)"] == "on" },
            enabled: fields["enabled"].map { $0 == "on" } ?? (fields["editing"] == nil)
        )
    }

    static func fields(of endpoint: WebhookEndpoint) -> [String: String] {
        var fields = ["organisation": endpoint.organisationID.uuidString, "url": endpoint.url, "description": endpoint.description, "editing": "1"]
        if endpoint.enabled { fields["enabled"] = "on" }
        for model in endpoint.models { fields["model_\(model.rawValue)"] = "on" }
        return fields
    }

    static func values(_ fields: [String: String], organisations: [Organisation], selected: [WebhookModel]) -> [String: Any] {
        let chosen = fields["organisation"].flatMap(UUID.init(uuidString:))
        return [
            "url": fields["url"] ?? "", "description": fields["description"] ?? "", "enabled": fields["enabled"] == "on",
            "organisations": organisations.map { ["id": $0.id.uuidString, "name": $0.name, "selected": $0.id == chosen] },
            "models": WebhookModel.allCases.map { ["value": $0.rawValue, "label": $0.french, "checked": selected.contains($0)] },
        ]
    }

    static func row(_ endpoint: WebhookEndpoint) -> [String: Any] {
        var row: [String: Any] = [
            "id": endpoint.id.uuidString, "url": endpoint.url, "description": endpoint.description, "organisation": endpoint.organisationName,
            "models": endpoint.models.map(\.french).joined(separator: ", "), "enabled": endpoint.enabled,
        ]
        row["disabledReason"] = endpoint.disabledReason
        return row
    }

    static func logRows(_ entries: [WebhookLogEntry], timeZone: String) -> [[String: Any]] {
        let formatter = FrenchDates.Timestamps(timeZone: timeZone)
        return entries.map { entry in
            [
                "id": entry.id.uuidString, "model": entry.model.french, "record": entry.record, "event": frenchEvent(entry.event),
                "reason": entry.reason ?? "", "state": entry.frenchState, "created": formatter.string(from: entry.createdAt),
                "attempts": entry.attempts.map { attempt in
                    [
                        "at": formatter.string(from: attempt.at), "status": attempt.statusCode.map(String.init) ?? "—",
                        "duration": attempt.durationMilliseconds.map { "\($0) ms" } ?? "—", "error": attempt.error,
                    ]
                },
                "hasAttempts": !entry.attempts.isEmpty,
            ]
        }
    }

    static func frenchEvent(_ event: WebhookEvent) -> String {
        switch event {
        case .created: "création"
        case .updated: "modification"
        case .destroyed: "suppression"
        }
    }
}
