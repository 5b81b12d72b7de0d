import Foundation
import TOMLKit

/// The `[membership]` table of a département's file: census, `[[membership.conventions]]`,
/// `[[membership.pilot_sites]]`.
extension TenantFile {
    static let membershipKeys: Set<String> = ["population", "census_year", "conventions", "pilot_sites"]
    static let conventionKeys: Set<String> = [
        "funding_round", "kind", "signed_on", "start", "end", "contribution_due_on", "contribution_euros", "paid_euros", "paid_on",
    ]
    static let pilotSiteKeys: Set<String> = ["organisation", "referent", "contact"]

    /// What `rdv tenants apply` prints for a département whose membership the console manages.
    public static func keptMembershipNotice(file: String, line: Int?, editedOn: String) -> String {
        "\(file)\(line.map { ":\($0)" } ?? ""): adhésion modifiée dans la console le \(editedOn), le fichier est ignoré pour ces champs"
    }

    /// Reports a problem: field, message, section, occurrence of the section (arrays of tables).
    typealias MembershipFailure = (String, String, String?, Int) -> TenantFileError

    static func parseMembership(_ value: (any TOMLValueConvertible)?, fail: MembershipFailure) throws -> Membership? {
        guard let value else { return nil }
        guard let table = value.table else { throw fail("membership", "doit être une table [membership]", nil, 0) }
        func failHere(_ key: String, _ message: String) -> TenantFileError { fail("membership.\(key)", message, "membership", 0) }
        for key in table.keys where !membershipKeys.contains(key) {
            throw failHere(key, "champ inconnu (attendus : \(membershipKeys.sorted().joined(separator: ", ")))")
        }
        var membership = Membership()
        if let population = table["population"] {
            guard let count = population.int, count >= 0, count <= Int(Int32.max) else {
                throw failHere("population", "doit être un entier positif")
            }
            membership.population = count
        }
        if let year = table["census_year"] {
            guard let value = year.int, (1800...2200).contains(value) else {
                throw failHere("census_year", "doit être une année, par exemple 2021")
            }
            membership.censusYear = value
        }
        for (index, item) in try arrayOfTables(table["conventions"], name: "conventions", fail: failHere).enumerated() {
            membership.conventions.append(try parseConvention(item) { key, message in
                fail("membership.conventions.\(key)", message, "membership.conventions", index)
            })
        }
        var starts: Set<String> = []
        for (index, convention) in membership.conventions.enumerated() where !starts.insert(convention.startsOn).inserted {
            throw fail("membership.conventions.start", "deux conventions commencent le même jour", "membership.conventions", index)
        }
        for (index, item) in try arrayOfTables(table["pilot_sites"], name: "pilot_sites", fail: failHere).enumerated() {
            membership.pilotSites.append(try parsePilotSite(item) { key, message in
                fail("membership.pilot_sites.\(key)", message, "membership.pilot_sites", index)
            })
        }
        return membership
    }

    private static func arrayOfTables(
        _ value: (any TOMLValueConvertible)?, name: String, fail: (String, String) -> TenantFileError
    ) throws -> [TOMLTable] {
        guard let value else { return [] }
        guard let array = value.array else { throw fail(name, "doit être une liste de tables [[membership.\(name)]]") }
        return try array.map { item in
            guard let table = item.table else { throw fail(name, "doit être une liste de tables [[membership.\(name)]]") }
            return table
        }
    }

    private static func parseConvention(_ table: TOMLTable, fail: (String, String) -> TenantFileError) throws -> Membership.Convention {
        for key in table.keys where !conventionKeys.contains(key) {
            throw fail(key, "champ inconnu (attendus : \(conventionKeys.sorted().joined(separator: ", ")))")
        }
        func date(_ key: String, required: Bool) throws -> String? {
            guard let raw = table[key] else {
                if required { throw fail(key, "obligatoire") }
                return nil
            }
            guard let date = raw.date, (1...12).contains(date.month), (1...31).contains(date.day) else {
                throw fail(key, "doit être une date, par exemple 2026-01-01")
            }
            return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
        }
        func euros(_ key: String) throws -> Int? {
            guard let raw = table[key] else { return nil }
            // TOML reads 27000.50 as a float: the cents are rounded once, here, and stay integers after.
            let euros: Double? = raw.int.map(Double.init) ?? raw.double
            guard let euros, euros >= 0, euros < 1e12 else { throw fail(key, "doit être un montant positif en euros") }
            return Int((euros * 100).rounded())
        }
        guard let round = table["funding_round"]?.string?.trimmingWhitespace(), (1...40).contains(round.storedLength) else {
            throw fail("funding_round", "obligatoire : le nom de la période de financement, par exemple \"2026-2028\"")
        }
        guard let kind = table["kind"]?.string, ["initial", "renewal"].contains(kind) else {
            throw fail("kind", "doit valoir \"initial\" ou \"renewal\"")
        }
        let signed = try date("signed_on", required: true)!, start = try date("start", required: true)!
        let end = try date("end", required: true)!
        if end < start { throw fail("end", "la convention ne peut finir avant de commencer") }
        let paidCents = try euros("paid_euros"), paidOn = try date("paid_on", required: false)
        if (paidCents == nil) != (paidOn == nil) {
            throw fail(paidCents == nil ? "paid_euros" : "paid_on", "paid_euros et paid_on vont ensemble")
        }
        if paidCents == 0 { throw fail("paid_euros", "un paiement est un montant positif") }
        return Membership.Convention(
            fundingRound: round, kind: kind, signedOn: signed, startsOn: start, endsOn: end,
            contributionDueOn: try date("contribution_due_on", required: false),
            agreedContributionCents: try euros("contribution_euros"), paidCents: paidCents, paidOn: paidOn
        )
    }

    private static func parsePilotSite(_ table: TOMLTable, fail: (String, String) -> TenantFileError) throws -> Membership.PilotSite {
        for key in table.keys where !pilotSiteKeys.contains(key) {
            throw fail(key, "champ inconnu (attendus : \(pilotSiteKeys.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String) throws -> String {
            guard let value = table[key]?.string?.trimmingWhitespace(), (1...200).contains(value.storedLength) else {
                throw fail(key, "obligatoire : une chaîne de 1 à 200 caractères")
            }
            return value
        }
        return Membership.PilotSite(organisation: try text("organisation"), referent: try text("referent"), contact: try text("contact"))
    }
}
