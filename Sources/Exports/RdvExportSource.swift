import Agenda
import Foundation
import PostgresNIO

/// RDVs, one line each, in the order they take place: when and where, with whom, how it went,
/// who booked it and how, and what the notifications to the usagers became.
struct RdvExportSource: ExportSource {
    let sheetName = "RDV"
    let columns = [
        "Identifiant", "Date", "Heure", "Durée (min)", "Organisation", "Service", "Motif", "Type", "Lieu",
        "Agent(s)", "Usager(s)", "Nombre de participants", "Statut", "Statut par participant",
        "Origine", "Créé par", "Pris le", "Notifications envoyées", "Notifications en échec",
    ]

    func count(_ filter: ExportFilter, timeZone: String) -> PostgresQuery {
        var builder = QueryBuilder()
        let conditions = Self.conditions(filter, timeZone: timeZone, &builder)
        return builder.query("SELECT count(*)::bigint FROM rdvs r JOIN motifs m ON m.id = r.motif_id WHERE \(conditions)")
    }

    func rows(_ filter: ExportFilter, timeZone: String) -> PostgresQuery {
        var builder = QueryBuilder()
        let zone = builder.bind(timeZone)
        let conditions = Self.conditions(filter, timeZone: timeZone, &builder)
        return builder.query(
            """
            SELECT r.id, EXTRACT(EPOCH FROM r.starts_at AT TIME ZONE \(zone))::bigint,
                   (EXTRACT(EPOCH FROM r.ends_at - r.starts_at) / 60)::integer,
                   o.name, s.name, m.name, m.location_type, l.name,
                   ARRAY(SELECT a.first_name || ' ' || a.last_name FROM rdv_agents ra JOIN agents a ON a.id = ra.agent_id
                         WHERE ra.rdv_id = r.id ORDER BY a.last_name, a.first_name, a.id),
                   p.names, p.statuses, r.capacity IS NOT NULL, r.status, r.created_by,
                   creator.first_name || ' ' || creator.last_name, token.name,
                   EXTRACT(EPOCH FROM r.created_at AT TIME ZONE \(zone))::bigint,
                   n.sent, n.failed, p.ids
            FROM rdvs r
            JOIN motifs m ON m.id = r.motif_id
            JOIN organisations o ON o.id = m.organisation_id
            JOIN services s ON s.id = m.service_id
            LEFT JOIN lieux l ON l.id = r.lieu_id
            LEFT JOIN agents creator ON creator.id = r.created_by_agent_id
            LEFT JOIN api_tokens token ON token.id = r.created_by_api_token_id
            LEFT JOIN LATERAL (
                SELECT coalesce(array_agg(u.last_name || ' ' || u.first_name ORDER BY u.last_name, u.first_name, u.id), '{}') AS names,
                       coalesce(array_agg(rp.status ORDER BY u.last_name, u.first_name, u.id), '{}') AS statuses,
                       coalesce(array_agg(u.id), '{}') AS ids
                FROM rdv_participants rp JOIN usagers u ON u.id = rp.usager_id WHERE rp.rdv_id = r.id
            ) p ON true
            LEFT JOIN LATERAL (
                SELECT (count(*) FILTER (WHERE g.state IN ('sent', 'delivered')))::integer AS sent,
                       (count(*) FILTER (WHERE g.state IN ('failed', 'dead')))::integer AS failed
                FROM messages g WHERE g.rdv_id = r.id AND g.channel IN ('email', 'sms')
            ) n ON true
            WHERE \(conditions)
            ORDER BY r.starts_at, r.id
            """
        )
    }

    /// The RDV criteria on `rdvs r` joined to `motifs m`; shared with the usagers' export.
    static func conditions(_ filter: ExportFilter, timeZone: String, _ builder: inout QueryBuilder) -> String {
        var conditions = ["true"]
        if let from = filter.from {
            conditions.append("r.starts_at >= (\(builder.bind(from.description))::date)::timestamp AT TIME ZONE \(builder.bind(timeZone))")
        }
        if let to = filter.to {
            conditions.append("r.starts_at < (\(builder.bind(to.description))::date + 1)::timestamp AT TIME ZONE \(builder.bind(timeZone))")
        }
        if let organisationID = filter.organisationID { conditions.append("m.organisation_id = \(builder.bind(organisationID))") }
        if let motifID = filter.motifID { conditions.append("r.motif_id = \(builder.bind(motifID))") }
        if let status = filter.status { conditions.append("r.status = \(builder.bind(status.rawValue))") }
        return conditions.joined(separator: " AND ")
    }

    /// The participants, for the access trail.
    func usagerIDs(_ row: PostgresRandomAccessRow) throws -> [UUID] {
        try row[19].decode([UUID].self)
    }

    func cells(_ row: PostgresRandomAccessRow) throws -> [SheetCell] {
        let starts = try row[1].decode(Int64.self)
        let names = try row[9].decode([String].self)
        let statuses = try row[10].decode([String].self).map { RdvStatus(rawValue: $0)?.frenchName ?? $0 }
        let collective = try row[11].decode(Bool.self)
        let status = try row[12].decode(String.self)
        let origin = try row[13].decode(String.self)
        let creator = try row[14].decode(String?.self)
        let token = try row[15].decode(String?.self)
        return [
            .text(try row[0].decode(UUID.self).uuidString.lowercased()),
            ExportValues.date(localSeconds: starts),
            ExportValues.time(localSeconds: starts),
            .number(Int(try row[2].decode(Int32.self))),
            .text(try row[3].decode(String.self)),
            .text(try row[4].decode(String.self)),
            .text(try row[5].decode(String.self)),
            .text(LocationType(rawValue: try row[6].decode(String.self))?.frenchName ?? ""),
            ExportValues.text(try row[7].decode(String?.self)),
            ExportValues.text(try row[8].decode([String].self).joined(separator: ", ")),
            ExportValues.text(names.joined(separator: ", ")),
            .number(names.count),
            .text(RdvStatus(rawValue: status)?.frenchName ?? status),
            collective ? ExportValues.text(zip(names, statuses).map { "\($0) : \($1)" }.joined(separator: ", ")) : .empty,
            .text(Self.origin(origin)),
            ExportValues.text(Self.creator(origin: origin, agent: creator, token: token)),
            ExportValues.dateTime(localSeconds: try row[16].decode(Int64.self)),
            .number(Int(try row[17].decode(Int32?.self) ?? 0)),
            .number(Int(try row[18].decode(Int32?.self) ?? 0)),
        ]
    }

    static func origin(_ createdBy: String) -> String {
        switch createdBy {
        case "agent": "Par un agent"
        case "usager": "En ligne, par l’usager"
        case "waiting_list": "Liste d’attente"
        case "api": "Par l’API"
        default: createdBy
        }
    }

    static func creator(origin: String, agent: String?, token: String?) -> String? {
        switch origin {
        case "api": token.map { "\($0) (jeton d’API)" } ?? agent
        case "usager", "waiting_list": agent ?? "L’usager"
        default: agent
        }
    }
}
