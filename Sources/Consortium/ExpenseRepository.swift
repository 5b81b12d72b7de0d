import PostgresNIO
import Scheduling
import Tenancy

/// An expense of the consortium, charged to a funding round.
public struct Expense: Sendable, Equatable {
    public let id: Int
    public let spentOn: LocalDate
    public let supplier: String
    public let object: String
    public let amountCents: Int
    public let fundingRound: String
}

/// SQL of the expenses ledger.
struct ExpenseRepository: Sendable {
    let connection: SharedConnection

    func all(fundingRound: String? = nil, id: Int? = nil) async throws -> [Expense] {
        let rows = try await connection.query(
            """
            SELECT id, spent_on::text, supplier, object, amount_cents, funding_round FROM shared.partnership_expenses
            WHERE (\(fundingRound)::text IS NULL OR funding_round = \(fundingRound)) AND (\(id)::bigint IS NULL OR id = \(id))
            ORDER BY spent_on, id
            """
        )
        var expenses: [Expense] = []
        for try await (id, spentOn, supplier, object, cents, round) in rows.decode((Int, String, String, String, Int, String).self) {
            guard let spentOn = LocalDate(iso: spentOn) else { continue }
            expenses.append(Expense(id: id, spentOn: spentOn, supplier: supplier, object: object, amountCents: cents, fundingRound: round))
        }
        return expenses
    }

    /// Inserts (`id` nil) or updates; nil when there is no such expense.
    func save(_ e: ExpenseValues, id: Int?) async throws -> Int? {
        let rows: [PostgresRow]
        if let id {
            rows = try await connection.query(
                """
                UPDATE shared.partnership_expenses SET spent_on = \(e.spentOn.description)::date, supplier = \(e.supplier),
                    object = \(e.object), amount_cents = \(e.amountCents), funding_round = \(e.fundingRound)
                WHERE id = \(id) RETURNING id
                """
            ).collect()
        } else {
            rows = try await connection.query(
                """
                INSERT INTO shared.partnership_expenses (spent_on, supplier, object, amount_cents, funding_round)
                VALUES (\(e.spentOn.description)::date, \(e.supplier), \(e.object), \(e.amountCents), \(e.fundingRound)) RETURNING id
                """
            ).collect()
        }
        return try rows.first?.decode(Int.self)
    }

    func delete(id: Int) async throws -> Bool {
        try await connection.query("DELETE FROM shared.partnership_expenses WHERE id = \(id) RETURNING id").collect().count > 0
    }
}

/// An expense's fields once validated.
struct ExpenseValues: Sendable {
    let spentOn: LocalDate
    let supplier: String
    let object: String
    let amountCents: Int
    let fundingRound: String
}
