import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// SQL of the partnership registry per département (schema `shared`): census, conventions,
/// payments, pilot sites.
struct PartnershipRepository: Sendable {
    let connection: SharedConnection

    /// Census population and year by registry id, and since when the console manages it.
    func memberships() async throws -> [Int: Census] {
        let rows = try await connection.query(
            "SELECT tenant_id, population, census_year::integer, managed_in_console_at FROM shared.memberships"
        )
        var census: [Int: Census] = [:]
        for try await (id, population, year, managed) in rows.decode((Int, Int?, Int?, Date?).self) {
            census[id] = Census(population: population, year: year, managedInConsoleAt: managed)
        }
        return census
    }

    func conventions(tenantID: Int? = nil, id: Int? = nil) async throws -> [ConventionRecord] {
        let rows = try await connection.query(
            """
            SELECT c.id, c.tenant_id, t.name, t.insee_code, c.funding_round, c.kind, c.signed_on::text, c.starts_on::text,
                   c.ends_on::text, c.contribution_due_on::text, c.agreed_contribution_cents
            FROM shared.conventions c JOIN shared.tenants t ON t.id = c.tenant_id
            WHERE (\(tenantID)::bigint IS NULL OR c.tenant_id = \(tenantID)) AND (\(id)::bigint IS NULL OR c.id = \(id))
            ORDER BY c.starts_on, c.id
            """
        )
        var conventions: [ConventionRecord] = []
        for try await (id, tenant, name, code, round, kind, signed, start, end, due, agreed) in rows.decode(
            (Int, Int, String, String, String, String, String?, String, String, String, Int?).self
        ) {
            guard let kind = ConventionKind(rawValue: kind), let start = LocalDate(iso: start), let end = LocalDate(iso: end),
                  let due = LocalDate(iso: due)
            else { continue }
            conventions.append(ConventionRecord(
                id: id, tenantID: tenant, departementName: name, departementCode: code, fundingRound: round, kind: kind,
                signedOn: signed.flatMap(LocalDate.init(iso:)), startsOn: start, endsOn: end, contributionDueOn: due,
                agreedContributionCents: agreed
            ))
        }
        return conventions
    }

    func payments() async throws -> [PaymentRecord] {
        let rows = try await connection.query(
            "SELECT id, convention_id, paid_on::text, amount_cents FROM shared.contribution_payments ORDER BY paid_on, id"
        )
        var payments: [PaymentRecord] = []
        for try await (id, convention, paidOn, cents) in rows.decode((Int, Int, String, Int).self) {
            guard let paidOn = LocalDate(iso: paidOn) else { continue }
            payments.append(PaymentRecord(id: id, conventionID: convention, paidOn: paidOn, amountCents: cents))
        }
        return payments
    }

    func pilotSites(tenantID: Int) async throws -> [PilotSite] {
        let rows = try await connection.query(
            """
            SELECT id, organisation_name, referent_name, referent_contact FROM shared.pilot_sites
            WHERE tenant_id = \(tenantID) ORDER BY organisation_name, id
            """
        )
        var sites: [PilotSite] = []
        for try await (id, organisation, referent, contact) in rows.decode((Int, String, String, String).self) {
            sites.append(PilotSite(id: id, organisation: organisation, referent: referent, contact: contact))
        }
        return sites
    }

    func saveCensus(tenantID: Int, population: Int?, year: Int?) async throws {
        try await connection.query(
            """
            INSERT INTO shared.memberships (tenant_id, population, census_year, managed_in_console_at)
            VALUES (\(tenantID), \(population), \(year), now())
            ON CONFLICT (tenant_id) DO UPDATE SET population = excluded.population, census_year = excluded.census_year,
                managed_in_console_at = now()
            """
        )
    }

    /// From now on `rdv tenants apply` leaves this département's membership alone.
    func markManagedInConsole(tenantID: Int) async throws {
        try await connection.query(
            """
            INSERT INTO shared.memberships (tenant_id, managed_in_console_at) VALUES (\(tenantID), now())
            ON CONFLICT (tenant_id) DO UPDATE SET managed_in_console_at = now()
            """
        )
    }

    /// Inserts (`id` nil) or updates a convention of `tenantID`; nil when the id is not one of its conventions.
    func saveConvention(_ convention: ConventionValues, tenantID: Int, id: Int?) async throws -> Int? {
        let c = convention
        let rows: [PostgresRow]
        if let id {
            rows = try await connection.query(
                """
                UPDATE shared.conventions SET funding_round = \(c.fundingRound), kind = \(c.kind.rawValue),
                    signed_on = \(c.signedOn.description)::date, starts_on = \(c.startsOn.description)::date,
                    ends_on = \(c.endsOn.description)::date, contribution_due_on = \(c.contributionDueOn.description)::date,
                    agreed_contribution_cents = \(c.agreedContributionCents)
                WHERE id = \(id) AND tenant_id = \(tenantID) RETURNING id
                """
            ).collect()
        } else {
            rows = try await connection.query(
                """
                INSERT INTO shared.conventions
                    (tenant_id, funding_round, kind, signed_on, starts_on, ends_on, contribution_due_on, agreed_contribution_cents)
                VALUES (\(tenantID), \(c.fundingRound), \(c.kind.rawValue), \(c.signedOn.description)::date,
                        \(c.startsOn.description)::date, \(c.endsOn.description)::date, \(c.contributionDueOn.description)::date,
                        \(c.agreedContributionCents))
                RETURNING id
                """
            ).collect()
        }
        return try rows.first?.decode(Int.self)
    }

    /// True when a convention of `tenantID` other than `except` starts on `day`.
    func conventionStarts(on day: LocalDate, tenantID: Int, except: Int?) async throws -> Bool {
        try await connection.query(
            """
            SELECT 1 FROM shared.conventions WHERE tenant_id = \(tenantID) AND starts_on = \(day.description)::date
                AND (\(except)::bigint IS NULL OR id <> \(except))
            """
        ).collect().count > 0
    }

    func deleteConvention(id: Int, tenantID: Int) async throws -> Bool {
        try await connection.query(
            "DELETE FROM shared.conventions WHERE id = \(id) AND tenant_id = \(tenantID) RETURNING id"
        ).collect().count > 0
    }

    func addPayment(conventionID: Int, paidOn: LocalDate, amountCents: Int) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO shared.contribution_payments (convention_id, paid_on, amount_cents)
            VALUES (\(conventionID), \(paidOn.description)::date, \(amountCents)) RETURNING id
            """
        ).collect()
        guard let row = rows.first else { throw MissingReturnedRow("contribution payment") }
        return try row.decode(Int.self)
    }

    /// False when the payment is not for one of `tenantID`'s conventions.
    func deletePayment(id: Int, tenantID: Int) async throws -> Bool {
        try await connection.query(
            """
            DELETE FROM shared.contribution_payments p USING shared.conventions c
            WHERE p.id = \(id) AND c.id = p.convention_id AND c.tenant_id = \(tenantID) RETURNING p.id
            """
        ).collect().count > 0
    }

    func addPilotSite(_ site: PilotSite, tenantID: Int) async throws {
        try await connection.query(
            """
            INSERT INTO shared.pilot_sites (tenant_id, organisation_name, referent_name, referent_contact)
            VALUES (\(tenantID), \(site.organisation), \(site.referent), \(site.contact))
            """
        )
    }

    func deletePilotSite(id: Int, tenantID: Int) async throws -> Bool {
        try await connection.query(
            "DELETE FROM shared.pilot_sites WHERE id = \(id) AND tenant_id = \(tenantID) RETURNING id"
        ).collect().count > 0
    }
}

/// A département's census as the registry holds it.
public struct Census: Sendable, Equatable {
    public let population: Int?
    public let year: Int?
    /// Set once an operator edited the membership on the console.
    public let managedInConsoleAt: Date?
}

/// A pilot site of a département: one of its organisations and its referent social worker.
public struct PilotSite: Sendable, Equatable {
    public let id: Int
    public let organisation: String
    public let referent: String
    /// The referent's professional address or telephone.
    public let contact: String
}

/// A convention's fields once validated.
struct ConventionValues: Sendable {
    let fundingRound: String
    let kind: ConventionKind
    let signedOn: LocalDate
    let startsOn: LocalDate
    let endsOn: LocalDate
    let contributionDueOn: LocalDate
    let agreedContributionCents: Int?
}
