import Foundation
import PostgresNIO

/// Usagers, one line each, by name: identity, contacts, address, responsible, referents, and their RDVs
/// within the export's perimeter (how many, the last one, the next one).
///
/// Perimeter: the whole département for its administrators without an organisation; with an
/// organisation, those who had an RDV there or have a referent there; with RDV criteria
/// (dates, motif, status), those who had at least one RDV that matches.
struct UsagerExportSource: ExportSource {
    let sheetName = "Usagers"
    let columns = [
        "Identifiant", "Nom", "Prénom", "Date de naissance", "Email", "Téléphone", "Adresse", "Responsable",
        "Notifications par SMS", "Notifications par email", "Référent(s)", "Créé le",
        "Nombre de RDV", "Dernier RDV", "Prochain RDV",
    ]

    func count(_ filter: ExportFilter, timeZone: String) -> PostgresQuery {
        var builder = QueryBuilder()
        let (lateral, perimeter) = Self.parts(filter, timeZone: timeZone, &builder)
        return builder.query("SELECT count(*)::bigint FROM usagers u \(lateral) WHERE \(perimeter)")
    }

    func rows(_ filter: ExportFilter, timeZone: String) -> PostgresQuery {
        var builder = QueryBuilder()
        let zone = builder.bind(timeZone)
        let referentOrganisation = filter.organisationID.map { "AND a.organisation_id = \(builder.bind($0))" } ?? ""
        let (lateral, perimeter) = Self.parts(filter, timeZone: timeZone, &builder)
        return builder.query(
            """
            SELECT u.id, u.last_name, u.first_name, u.birth_date - date '1970-01-01', u.email, u.phone,
                   responsible.last_name || ' ' || responsible.first_name, u.notify_by_sms, u.notify_by_email,
                   ARRAY(SELECT a.first_name || ' ' || a.last_name FROM usager_referents ur JOIN agents a ON a.id = ur.agent_id
                         WHERE ur.usager_id = u.id \(referentOrganisation) ORDER BY a.last_name, a.first_name, a.id),
                   EXTRACT(EPOCH FROM u.created_at AT TIME ZONE \(zone))::bigint,
                   stats.count, EXTRACT(EPOCH FROM stats.last AT TIME ZONE \(zone))::bigint,
                   EXTRACT(EPOCH FROM stats.next AT TIME ZONE \(zone))::bigint, u.address
            FROM usagers u
            LEFT JOIN usagers responsible ON responsible.id = u.responsible_id
            \(lateral)
            WHERE \(perimeter)
            ORDER BY lower(u.last_name), lower(u.first_name), u.id
            """
        )
    }

    /// The usager's RDVs within the criteria (a lateral join named `stats`) and the condition
    /// that keeps a usager.
    private static func parts(_ filter: ExportFilter, timeZone: String, _ builder: inout QueryBuilder) -> (String, String) {
        let conditions = RdvExportSource.conditions(filter, timeZone: timeZone, &builder)
        let lateral = """
            LEFT JOIN LATERAL (
                SELECT count(*)::integer AS count,
                       max(r.starts_at) FILTER (WHERE r.starts_at < now()) AS last,
                       min(r.starts_at) FILTER (WHERE r.starts_at >= now() AND r.status NOT IN ('excused', 'revoked')) AS next
                FROM rdv_participants rp JOIN rdvs r ON r.id = rp.rdv_id JOIN motifs m ON m.id = r.motif_id
                WHERE rp.usager_id = u.id AND \(conditions)
            ) stats ON true
            """
        let perimeter: String
        if filter.concernsRdvs {
            perimeter = "stats.count > 0"
        } else if let organisationID = filter.organisationID {
            perimeter = """
                (stats.count > 0 OR EXISTS (SELECT 1 FROM usager_referents ur JOIN agents a ON a.id = ur.agent_id
                                            WHERE ur.usager_id = u.id AND a.organisation_id = \(builder.bind(organisationID))))
                """
        } else {
            perimeter = "true"
        }
        return (lateral, perimeter)
    }

    func usagerIDs(_ row: PostgresRandomAccessRow) throws -> [UUID] {
        [try row[0].decode(UUID.self)]
    }

    func cells(_ row: PostgresRandomAccessRow) throws -> [SheetCell] {
        [
            .text(try row[0].decode(UUID.self).uuidString.lowercased()),
            .text(try row[1].decode(String.self)),
            .text(try row[2].decode(String.self)),
            ExportValues.date(dayNumber: try row[3].decode(Int32?.self).map(Int.init)),
            ExportValues.text(try row[4].decode(String?.self)),
            ExportValues.phone(try row[5].decode(String?.self)),
            ExportValues.text(try row[14].decode(String?.self)),
            ExportValues.text(try row[6].decode(String?.self)),
            ExportValues.yesNo(try row[7].decode(Bool.self)),
            ExportValues.yesNo(try row[8].decode(Bool.self)),
            ExportValues.text(try row[9].decode([String].self).joined(separator: ", ")),
            ExportValues.dateTime(localSeconds: try row[10].decode(Int64.self)),
            .number(Int(try row[11].decode(Int32?.self) ?? 0)),
            ExportValues.dateTime(localSeconds: try row[12].decode(Int64?.self)),
            ExportValues.dateTime(localSeconds: try row[13].decode(Int64?.self)),
        ]
    }
}
