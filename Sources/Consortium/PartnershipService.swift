import Foundation
import Identity
import Scheduling
import Tenancy

/// The partnership registry's use cases for operators on the console: each write checks the
/// whole form first, then runs in one transaction with its journal event, so that a refused
/// form writes nothing. Membership writes (census, conventions, payments, pilot sites) also
/// mark the département as managed on the console, which `rdv tenants apply` then respects.
public struct PartnershipService: Sendable {
    /// Who acts, for the consortium journal.
    public struct Actor: Sendable {
        public let accountID: UUID
        public let ip: String?

        public init(accountID: UUID, ip: String?) {
            self.accountID = accountID
            self.ip = ip
        }
    }

    /// A département's page: census, conventions with what they ask and what was paid, pilot sites.
    public struct DepartementFile: Sendable {
        public struct Convention: Sendable {
            public let record: ConventionRecord
            public let dueCents: Int
            public let payments: [PaymentRecord]
            public var paidCents: Int { payments.reduce(0) { $0 + $1.amountCents } }
        }

        public let tenantID: Int
        public let name: String
        public let code: String
        public let census: Census?
        public let conventions: [Convention]
        public let pilotSites: [PilotSite]
    }

    let database: SharedDatabase

    public init(_ database: SharedDatabase) {
        self.database = database
    }

    public func departement(_ tenantID: Int) async throws -> DepartementFile {
        try await database.transaction { connection in
            let found = try await connection.query("SELECT name, insee_code FROM shared.tenants WHERE id = \(tenantID)").collect()
            guard let row = found.first else { throw PartnershipNotFound() }
            let (name, code) = try row.decode((String, String).self)
            let repository = PartnershipRepository(connection: connection)
            let census = try await repository.memberships()
            let all = try await repository.conventions()
            let schedule = ContributionSchedule(
                conventions: all, populations: census.compactMapValues(\.population), rules: try await RulesRepository(connection: connection).load()
            )
            let payments = try await repository.payments()
            return DepartementFile(
                tenantID: tenantID, name: name, code: code, census: census[tenantID],
                conventions: all.filter { $0.tenantID == tenantID }.map { convention in
                    .init(record: convention, dueCents: schedule.dueCents(conventionID: convention.id),
                          payments: payments.filter { $0.conventionID == convention.id })
                },
                pilotSites: try await repository.pilotSites(tenantID: tenantID)
            )
        }
    }

    public func updateCensus(_ draft: CensusDraft, tenantID: Int, by actor: Actor) async throws {
        var checker = FieldChecker()
        let population = checker.integer("population", draft.population, label: "Population", range: 0...Int(Int32.max), optional: true)
        let year = checker.integer("census_year", draft.censusYear, label: "Année du recensement", range: 1800...2200, optional: true)
        if population != nil, year == nil, checker.problems.isEmpty {
            checker.fail("census_year", "Année du recensement : à renseigner avec la population.")
        }
        try checker.check()
        try await write(.censusChanged, tenantID: tenantID, by: actor) { repository in
            try await repository.saveCensus(tenantID: tenantID, population: population, year: year)
        }
    }

    /// Creates (`id` nil) or changes a convention; returns its id.
    @discardableResult
    public func saveConvention(_ draft: ConventionDraft, tenantID: Int, id: Int? = nil, by actor: Actor) async throws -> Int {
        var checker = FieldChecker()
        let round = checker.text("funding_round", draft.fundingRound, label: "Période de financement", maximum: 40)
        let kind = ConventionKind(rawValue: draft.kind)
        if kind == nil { checker.fail("kind", "Nature : choisissez initiale ou renouvellement.") }
        let signed = checker.date("signed_on", draft.signedOn, label: "Date de signature")
        let start = checker.date("starts_on", draft.startsOn, label: "Début")
        let end = checker.date("ends_on", draft.endsOn, label: "Fin")
        let due = checker.date("contribution_due_on", draft.contributionDueOn, label: "Échéance de la contribution")
        let agreed = checker.amount("agreed_contribution", draft.agreedContribution, label: "Montant fixé par la convention", optional: true)
        if let start, let end, end < start { checker.fail("ends_on", "Fin : la convention ne peut finir avant de commencer.") }
        try checker.check()
        let values = ConventionValues(
            fundingRound: round, kind: kind!, signedOn: signed!, startsOn: start!, endsOn: end!, contributionDueOn: due!,
            agreedContributionCents: agreed
        )
        return try await write(.conventionSaved, tenantID: tenantID, by: actor) { repository in
            try await requireTenant(tenantID, repository)
            if try await repository.conventionStarts(on: values.startsOn, tenantID: tenantID, except: id) {
                throw PartnershipInvalid(problems: [.init(field: "starts_on", message: "Début : une autre convention de ce département commence ce jour-là.")])
            }
            guard let saved = try await repository.saveConvention(values, tenantID: tenantID, id: id) else { throw PartnershipNotFound() }
            return saved
        }
    }

    public func deleteConvention(_ id: Int, tenantID: Int, by actor: Actor) async throws {
        try await write(.conventionDeleted, tenantID: tenantID, by: actor) { repository in
            guard try await repository.deleteConvention(id: id, tenantID: tenantID) else { throw PartnershipNotFound() }
        }
    }

    public func recordPayment(_ draft: PaymentDraft, conventionID: Int, tenantID: Int, by actor: Actor) async throws {
        var checker = FieldChecker()
        let paidOn = checker.date("paid_on", draft.paidOn, label: "Date du paiement")
        let amount = checker.amount("amount", draft.amount, label: "Montant payé", positive: true)
        try checker.check()
        try await write(.paymentRecorded, tenantID: tenantID, by: actor) { repository in
            guard try await !repository.conventions(tenantID: tenantID, id: conventionID).isEmpty else { throw PartnershipNotFound() }
            _ = try await repository.addPayment(conventionID: conventionID, paidOn: paidOn!, amountCents: amount!)
        }
    }

    public func deletePayment(_ id: Int, tenantID: Int, by actor: Actor) async throws {
        try await write(.paymentDeleted, tenantID: tenantID, by: actor) { repository in
            guard try await repository.deletePayment(id: id, tenantID: tenantID) else { throw PartnershipNotFound() }
        }
    }

    public func addPilotSite(_ draft: PilotSiteDraft, tenantID: Int, by actor: Actor) async throws {
        var checker = FieldChecker()
        let site = PilotSite(
            id: 0, organisation: checker.text("organisation", draft.organisation, label: "Organisation"),
            referent: checker.text("referent", draft.referent, label: "Travailleur social référent"),
            contact: checker.text("contact", draft.contact, label: "Contact professionnel du référent")
        )
        try checker.check()
        try await write(.pilotSiteAdded, tenantID: tenantID, by: actor) { repository in
            try await requireTenant(tenantID, repository)
            try await repository.addPilotSite(site, tenantID: tenantID)
        }
    }

    public func deletePilotSite(_ id: Int, tenantID: Int, by actor: Actor) async throws {
        try await write(.pilotSiteRemoved, tenantID: tenantID, by: actor) { repository in
            guard try await repository.deletePilotSite(id: id, tenantID: tenantID) else { throw PartnershipNotFound() }
        }
    }

    private func requireTenant(_ tenantID: Int, _ repository: PartnershipRepository) async throws {
        let rows = try await repository.connection.query("SELECT 1 FROM shared.tenants WHERE id = \(tenantID)").collect()
        if rows.isEmpty { throw PartnershipNotFound() }
    }

    /// One membership change: `body`, the console's mark on the département, the journal event.
    private func write<T: Sendable>(
        _ event: AuditLog.Event, tenantID: Int, by actor: Actor, _ body: @Sendable (PartnershipRepository) async throws -> T
    ) async throws -> T {
        try await database.transaction { connection in
            let repository = PartnershipRepository(connection: connection)
            let value = try await body(repository)
            try await repository.markManagedInConsole(tenantID: tenantID)
            try await AuditLog(connection, realm: .consortium(.operator_)).record(event, actor: actor.accountID, tenantID: tenantID, ip: actor.ip)
            return value
        }
    }
}
