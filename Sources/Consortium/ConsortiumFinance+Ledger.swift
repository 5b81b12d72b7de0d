import Identity
import Scheduling
import Tenancy

/// The expenses ledger and the committee log.
extension ConsortiumFinance {
    public func expenses(fundingRound: String? = nil) async throws -> [Expense] {
        try await database.transaction { try await ExpenseRepository(connection: $0).all(fundingRound: fundingRound) }
    }

    public func expense(_ id: Int) async throws -> Expense {
        guard let expense = try await database.transaction({ try await ExpenseRepository(connection: $0).all(id: id) }).first else {
            throw PartnershipNotFound()
        }
        return expense
    }

    /// Records (`id` nil) or corrects an expense.
    public func saveExpense(_ draft: ExpenseDraft, id: Int? = nil, by actor: PartnershipService.Actor) async throws {
        var checker = FieldChecker()
        let spentOn = checker.date("spent_on", draft.spentOn, label: "Date")
        let supplier = checker.text("supplier", draft.supplier, label: "Fournisseur")
        let object = checker.text("object", draft.object, label: "Objet", maximum: 500)
        let amount = checker.amount("amount", draft.amount, label: "Montant TTC", positive: true)
        let round = checker.text("funding_round", draft.fundingRound, label: "Période de financement", maximum: 40)
        try checker.check()
        let values = ExpenseValues(spentOn: spentOn!, supplier: supplier, object: object, amountCents: amount!, fundingRound: round)
        try await database.transaction { connection in
            guard try await ExpenseRepository(connection: connection).save(values, id: id) != nil else { throw PartnershipNotFound() }
            try await AuditLog(connection, realm: .consortium(.operator_))
                .record(id == nil ? .expenseRecorded : .expenseChanged, actor: actor.accountID, tenantID: nil, ip: actor.ip)
        }
    }

    public func deleteExpense(_ id: Int, by actor: PartnershipService.Actor) async throws {
        try await database.transaction { connection in
            guard try await ExpenseRepository(connection: connection).delete(id: id) else { throw PartnershipNotFound() }
            try await AuditLog(connection, realm: .consortium(.operator_)).record(.expenseDeleted, actor: actor.accountID, tenantID: nil, ip: actor.ip)
        }
    }

    /// The committee log, latest meeting first.
    public func committees() async throws -> [CommitteeMeeting] {
        try await database.transaction { try await CommitteeRepository(connection: $0).all() }
    }

    public func recordCommittee(_ draft: CommitteeDraft, by actor: PartnershipService.Actor) async throws {
        var checker = FieldChecker()
        let heldOn = checker.date("held_on", draft.heldOn, label: "Date de la réunion")
        let kind = CommitteeMeeting.Kind(rawValue: draft.kind)
        if kind == nil { checker.fail("kind", "Comité : choisissez technique ou de pilotage.") }
        let url = draft.minutesURL.trimmingCharacters(in: .whitespaces)
        if !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.count > 500 || url.contains(" ") {
            checker.fail("minutes_url", "Compte rendu : une adresse web commençant par https://.")
        }
        try checker.check()
        try await database.transaction { connection in
            _ = try await CommitteeRepository(connection: connection).add(
                heldOn: heldOn!, kind: kind!, attendees: draft.attendees, minutesURL: url.isEmpty ? nil : url
            )
            try await AuditLog(connection, realm: .consortium(.operator_)).record(.committeeRecorded, actor: actor.accountID, tenantID: nil, ip: actor.ip)
        }
    }

    public func deleteCommittee(_ id: Int, by actor: PartnershipService.Actor) async throws {
        try await database.transaction { connection in
            guard try await CommitteeRepository(connection: connection).delete(id: id) else { throw PartnershipNotFound() }
            try await AuditLog(connection, realm: .consortium(.operator_)).record(.committeeDeleted, actor: actor.accountID, tenantID: nil, ip: actor.ip)
        }
    }
}
