import Foundation
import PostgresNIO
import Tenancy

/// The one place that writes a webhook's body, in RDV-Solidarités' shape:
/// `{"data": …, "meta": {"model", "event", "webhook_reason", "timestamp"}}`.
/// `data` is the record as it stands when the event is first sent; a destroyed record (or one
/// gone before its event left) is only its identity: `{"id": …}` (a participant:
/// `{"rdv_id": …, "usager_id": …}`).
public enum WebhookPayload {
    public static func body(of delivery: WebhookDelivery, connection: TenantConnection, timeZone: TimeZone) async throws -> String {
        let found = delivery.event == .destroyed ? nil : try await data(delivery.model, delivery.record, connection)
        let meta: [String: Any] = [
            "model": modelName(delivery.model), "event": delivery.event.rawValue,
            "webhook_reason": delivery.reason ?? NSNull(), "timestamp": timestamp(delivery.capturedAt, timeZone),
        ]
        let metaJSON = String(decoding: try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        return #"{"data":"# + (found ?? identity(delivery.model, delivery.record)) + #","meta":"# + metaJSON + "}"
    }

    /// RDV-Solidarités' model names, which its receivers switch on.
    static func modelName(_ model: WebhookModel) -> String {
        switch model {
        case .rdv: "Rdv"
        case .participant: "RdvsUser"
        case .usager: "User"
        case .absence: "Absence"
        case .plage: "PlageOuverture"
        case .motif: "Motif"
        case .lieu: "Lieu"
        case .agent: "Agent"
        }
    }

    static func timestamp(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func identity(_ model: WebhookModel, _ record: String) -> String {
        let object: [String: String]
        if model == .participant {
            let parts = record.split(separator: "/").map(String.init)
            object = ["rdv_id": parts.first ?? "", "usager_id": parts.count > 1 ? parts[1] : ""]
        } else {
            object = ["id": record]
        }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The record's representation, nil when it no longer exists.
    static func data(_ model: WebhookModel, _ record: String, _ connection: TenantConnection) async throws -> String? {
        let query: PostgresQuery
        if model == .participant {
            let parts = record.split(separator: "/").compactMap { UUID(uuidString: String($0)) }
            guard parts.count == 2 else { return nil }
            query = "SELECT jsonb_build_object('rdv_id', rdv_id, 'usager_id', usager_id, 'status', status, 'created_at', created_at)::text FROM rdv_participants WHERE rdv_id = \(parts[0]) AND usager_id = \(parts[1])"
        } else {
            guard let id = UUID(uuidString: record) else { return nil }
            query = representation(model, id)
        }
        for try await text in try await connection.query(query).decode(String.self) { return text }
        return nil
    }

    // Until the API's representations serve here too, each model's fields as receivers need them;
    // never a secret column (password hash, second factor).
    static func representation(_ model: WebhookModel, _ id: UUID) -> PostgresQuery {
        switch model {
        case .rdv:
            """
            SELECT jsonb_build_object('id', r.id, 'starts_at', r.starts_at, 'ends_at', r.ends_at, 'status', r.status, 'motif_id', r.motif_id,
                'lieu_id', r.lieu_id, 'organisation_id', mo.organisation_id, 'capacity', r.capacity, 'created_by', r.created_by,
                'agent_ids', (SELECT coalesce(jsonb_agg(ra.agent_id ORDER BY ra.agent_id), '[]') FROM rdv_agents ra WHERE ra.rdv_id = r.id),
                'participants', (SELECT coalesce(jsonb_agg(jsonb_build_object('usager_id', p.usager_id, 'status', p.status) ORDER BY p.usager_id), '[]')
                                 FROM rdv_participants p WHERE p.rdv_id = r.id),
                'created_at', r.created_at, 'updated_at', r.updated_at)::text
            FROM rdvs r JOIN motifs mo ON mo.id = r.motif_id WHERE r.id = \(id)
            """
        case .participant:
            "SELECT NULL::text WHERE false"
        case .usager:
            """
            SELECT jsonb_build_object('id', id, 'first_name', first_name, 'last_name', last_name, 'birth_date', birth_date, 'email', email,
                'phone', phone, 'responsible_id', responsible_id, 'created_at', created_at, 'updated_at', updated_at)::text
            FROM usagers WHERE id = \(id)
            """
        case .absence:
            """
            SELECT jsonb_build_object('id', id, 'agent_id', agent_id, 'title', title, 'first_day', first_day, 'start_time', start_time,
                'end_time', end_time, 'recurrence', recurrence)::text FROM absences WHERE id = \(id)
            """
        case .plage:
            """
            SELECT jsonb_build_object('id', p.id, 'agent_id', p.agent_id, 'lieu_id', p.lieu_id, 'first_day', p.first_day, 'start_time', p.start_time,
                'end_time', p.end_time, 'recurrence', p.recurrence,
                'motif_ids', (SELECT coalesce(jsonb_agg(pm.motif_id ORDER BY pm.motif_id), '[]') FROM plage_motifs pm WHERE pm.plage_id = p.id))::text
            FROM plages_ouverture p WHERE p.id = \(id)
            """
        case .motif:
            """
            SELECT jsonb_build_object('id', id, 'organisation_id', organisation_id, 'service_id', service_id, 'name', name, 'color', color,
                'duration_minutes', duration_minutes, 'location_type', location_type, 'collective', collective,
                'bookable_by', bookable_by, 'archived_at', archived_at)::text FROM motifs WHERE id = \(id)
            """
        case .lieu:
            """
            SELECT jsonb_build_object('id', id, 'organisation_id', organisation_id, 'name', name, 'address', address, 'phone', phone,
                'status', status)::text FROM lieux WHERE id = \(id)
            """
        case .agent:
            """
            SELECT jsonb_build_object('id', id, 'email', email, 'first_name', first_name, 'last_name', last_name, 'role', role,
                'organisation_id', organisation_id, 'disabled_at', disabled_at)::text FROM agents WHERE id = \(id)
            """
        }
    }
}
