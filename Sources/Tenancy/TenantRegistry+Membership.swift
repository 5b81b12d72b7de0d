import Foundation
import Logging
import PostgresNIO

/// A département whose membership data `rdv tenants apply` left as the console set it.
public struct KeptMembership: Sendable, Equatable {
    public let code: DepartementCode
    public let managedInConsoleAt: Date
}

extension TenantRegistry {
    /// Writes what a file declares of a membership: census, conventions (keyed by their start,
    /// so that an unchanged file keeps their ids and the pages that name them), the payment
    /// each records, pilot sites. Returns the console's date instead when it manages them.
    func applyMembership(_ membership: Membership, tenantID id: Int, fileWins: Bool, on connection: PostgresConnection) async throws -> Date? {
        let logger = database.logger
        let rows = try await connection.query(
            "SELECT managed_in_console_at FROM shared.memberships WHERE tenant_id = \(id) FOR UPDATE", logger: logger
        ).collect()
        let managed = try rows.first?.decode(Date?.self) ?? nil
        if let managed, !fileWins { return managed }
        if managed != nil {
            try await connection.query(
                """
                INSERT INTO shared.consortium_audit_events (action, tenant_id, details)
                VALUES ('membership.file_override', \(id), jsonb_build_object('via', 'command line'))
                """,
                logger: logger
            )
        }
        try await connection.query(
            """
            INSERT INTO shared.memberships (tenant_id, population, census_year, managed_in_console_at)
            VALUES (\(id), \(membership.population), \(membership.censusYear), NULL)
            ON CONFLICT (tenant_id) DO UPDATE SET
                population = excluded.population, census_year = excluded.census_year, managed_in_console_at = NULL
            """,
            logger: logger
        )
        let starts = membership.conventions.map(\.startsOn)
        try await connection.query(
            "DELETE FROM shared.conventions WHERE tenant_id = \(id) AND NOT (starts_on::text = ANY(\(starts)))", logger: logger
        )
        for convention in membership.conventions {
            let conventionID = try await connection.query(
                """
                INSERT INTO shared.conventions
                    (tenant_id, funding_round, kind, signed_on, starts_on, ends_on, contribution_due_on, agreed_contribution_cents)
                VALUES (\(id), \(convention.fundingRound), \(convention.kind), \(convention.signedOn)::date, \(convention.startsOn)::date,
                        \(convention.endsOn)::date, \(convention.contributionDueOn)::date, \(convention.agreedContributionCents))
                ON CONFLICT (tenant_id, starts_on) DO UPDATE SET
                    funding_round = excluded.funding_round, kind = excluded.kind, signed_on = excluded.signed_on,
                    ends_on = excluded.ends_on, contribution_due_on = excluded.contribution_due_on,
                    agreed_contribution_cents = excluded.agreed_contribution_cents
                RETURNING id
                """,
                logger: logger
            ).collect()[0].decode(Int.self)
            try await connection.query("DELETE FROM shared.contribution_payments WHERE convention_id = \(conventionID)", logger: logger)
            if let cents = convention.paidCents, let paidOn = convention.paidOn {
                try await connection.query(
                    """
                    INSERT INTO shared.contribution_payments (convention_id, paid_on, amount_cents)
                    VALUES (\(conventionID), \(paidOn)::date, \(cents))
                    """,
                    logger: logger
                )
            }
        }
        try await connection.query("DELETE FROM shared.pilot_sites WHERE tenant_id = \(id)", logger: logger)
        for site in membership.pilotSites {
            try await connection.query(
                """
                INSERT INTO shared.pilot_sites (tenant_id, organisation_name, referent_name, referent_contact)
                VALUES (\(id), \(site.organisation), \(site.referent), \(site.contact))
                """,
                logger: logger
            )
        }
        return nil
    }
}
