import Consortium
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// The consortium's money and meetings on the console: the funding round's table, the rules,
/// the expenses ledger, a convention's management report, the committee log.
extension PartnershipRoutes {
    func registerFinance(on group: RouterGroup<ConsortiumMemberContext>) {
        group.get("") { request, context in try await overview(request, context) }
        group.get("/regles") { request, context in
            let rules = try await ConsortiumFinance(context.database).rules()
            return rulesForm(request, context, fields: Self.fields(of: rules))
        }
        group.post("/regles") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            do {
                try await ConsortiumFinance(context.database).updateRules(RulesDraft(fields), by: actor(context))
            } catch let invalid as PartnershipInvalid {
                return rulesForm(request, context, fields: fields, invalid: invalid)
            }
            return redirect(to: "/partenariat")
        }
        group.get("/conventions/:convention/rapport") { request, context in
            try await report(request, context, conventionID: try id(context, "convention"))
        }
        group.get("/depenses") { request, context in try await expenses(request, context) }
        group.post("/depenses") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            do {
                try await ConsortiumFinance(context.database).saveExpense(ExpenseDraft(fields), by: actor(context))
            } catch let invalid as PartnershipInvalid {
                return try await expenses(request, context, fields: fields, invalid: invalid)
            }
            return try await expenses(request, context, notice: "Dépense enregistrée.")
        }
        group.get("/depenses/:expense/modifier") { request, context in
            let expense = try await ConsortiumFinance(context.database).expense(try id(context, "expense"))
            return expenseForm(request, context, id: expense.id, fields: [
                "spent_on": expense.spentOn.description, "supplier": expense.supplier, "object": expense.object,
                "amount": Euros.editable(expense.amountCents), "funding_round": expense.fundingRound,
            ])
        }
        group.post("/depenses/:expense") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let expenseID = try id(context, "expense")
            do {
                try await ConsortiumFinance(context.database).saveExpense(ExpenseDraft(fields), id: expenseID, by: actor(context))
            } catch let invalid as PartnershipInvalid {
                return expenseForm(request, context, id: expenseID, fields: fields, invalid: invalid)
            }
            return redirect(to: "/partenariat/depenses")
        }
        group.post("/depenses/:expense/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await ConsortiumFinance(context.database).deleteExpense(try id(context, "expense"), by: actor(context))
            return redirect(to: "/partenariat/depenses")
        }
        group.get("/comites") { request, context in try await committees(request, context) }
        group.post("/comites") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            do {
                try await ConsortiumFinance(context.database).recordCommittee(CommitteeDraft(fields), by: actor(context))
            } catch let invalid as PartnershipInvalid {
                return try await committees(request, context, fields: fields, invalid: invalid)
            }
            return try await committees(request, context, notice: "Réunion consignée.")
        }
        group.post("/comites/:meeting/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try await ConsortiumFinance(context.database).deleteCommittee(try id(context, "meeting"), by: actor(context))
            return redirect(to: "/partenariat/comites")
        }
    }

    private func overview(_ request: Request, _ context: ConsortiumMemberContext) async throws -> Response {
        let finance = ConsortiumFinance(context.database)
        let today = ConsortiumCalendar.today()
        let asked = request.uri.queryParameters["periode"].map(String.init)
        let overview = try await finance.overview(round: asked, today: today)
        let rules = overview.rules
        var values: [String: Any] = [
            "pageTitle": "Partenariat – Console du consortium", "heading": "Partenariat du consortium",
            "rounds": overview.rounds.map { round in
                ["label": round, "current": round == overview.summary?.fundingRound,
                 "link": "/partenariat?periode=" + (round.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? round)] as [String: Any]
            },
            "hasRounds": overview.rounds.count > 1,
            // Highest threshold first: a threshold of 0 reads as "up to the one above".
            "tiers": rules.tiers.enumerated().map { index, tier in
                let above = index > 0 ? "jusqu’à \(Euros.grouped(rules.tiers[index - 1].abovePopulation)) habitants" : "tout département"
                return ["above": tier.abovePopulation == 0 ? above.prefix(1).uppercased() + above.dropFirst()
                            : "Plus de \(Euros.grouped(tier.abovePopulation)) habitants",
                        "amount": Euros.format(tier.contributionCents)]
            },
            "renewalRate": "\(rules.renewalRatePercent)\u{00A0}%", "matchRate": "\(rules.matchRatePercent)\u{00A0}%",
            "matchCap": Euros.format(rules.matchCapCents),
            "departements": overview.departements.map { ["id": $0.id, "code": $0.code, "name": $0.name, "console": $0.managedInConsoleAt != nil] },
        ]
        if let summary = overview.summary {
            values["summary"] = [
                "round": summary.fundingRound,
                "rows": summary.rows.map { row in
                    ["code": row.departementCode, "name": row.departementName, "tenantID": row.tenantID, "due": Euros.format(row.dueCents),
                     "paid": Euros.format(row.paidCents), "matched": Euros.format(row.matchedCents), "total": Euros.format(row.totalCents)] as [String: Any]
                },
                "due": Euros.format(summary.dueCents), "paid": Euros.format(summary.paidCents), "matched": Euros.format(summary.matchedCents),
                "total": Euros.format(summary.totalCents), "remaining": Euros.format(summary.match.remainingCents),
                "capReached": summary.match.remainingCents == 0 && !summary.rows.isEmpty,
            ] as [String: Any]
        }
        values.merge(try await Self.warningValues(context.database)) { $1 }
        return render("partnership_home", values, request, context)
    }

    /// The warnings partial's values (`consortium_warnings.mustache`), for the console's home too.
    static func warningValues(_ database: SharedDatabase) async throws -> [String: Any] {
        let warnings = try await ConsortiumFinance(database).warnings(today: ConsortiumCalendar.today())
        return ["hasWarnings": !warnings.isEmpty, "warnings": warnings.map { ["message": $0.message, "link": $0.link, "kind": $0.kind.rawValue] }]
    }

    static func fields(of rules: PartnershipRules) -> [String: String] {
        var fields = [
            "renewal_rate": String(rules.renewalRatePercent), "match_rate": String(rules.matchRatePercent),
            "match_cap": Euros.editable(rules.matchCapCents),
        ]
        for (index, tier) in rules.tiers.enumerated() {
            fields["tier_above_\(index)"] = String(tier.abovePopulation)
            fields["tier_amount_\(index)"] = Euros.editable(tier.contributionCents)
        }
        return fields
    }

    private func rulesForm(
        _ request: Request, _ context: ConsortiumMemberContext, fields: [String: String], invalid: PartnershipInvalid? = nil
    ) -> Response {
        var errors = FieldErrors()
        for problem in invalid?.problems ?? [] { errors.add(problem.field, problem.message) }
        let rows = RulesDraft(fields).tiers.count
        var all: [String: Any] = [
            "pageTitle": "Règles du consortium", "heading": "Règles du consortium", "form": fields,
            // Two empty rows to add tiers; a row emptied is removed.
            "tiers": (0..<(rows + 2)).map { index in
                ["index": index, "number": index + 1, "above": fields["tier_above_\(index)"] ?? "", "amount": fields["tier_amount_\(index)"] ?? "",
                 "invalidAbove": errors.values["invalid_tier_above_\(index)"] != nil,
                 "invalidAmount": errors.values["invalid_tier_amount_\(index)"] != nil] as [String: Any]
            },
        ]
        all.merge(errors.values) { $1 }
        return render("partnership_rules", all, request, context, status: invalid == nil ? .ok : .unprocessableContent)
    }

    private func report(_ request: Request, _ context: ConsortiumMemberContext, conventionID: Int) async throws -> Response {
        let report = try await ConsortiumFinance(context.database).report(conventionID: conventionID)
        let convention = report.convention
        let title = "Rapport de gestion – \(convention.departementName), convention \(convention.fundingRound)"
        return render("partnership_report", [
            "pageTitle": title, "heading": title, "convention": Self.values(of: convention), "due": Euros.format(report.dueCents),
            "payments": report.payments.map { line in
                ["paidOn": ConsortiumCalendar.french(line.payment.paidOn), "amount": Euros.format(line.payment.amountCents),
                 "matched": Euros.format(line.matchedCents), "capped": line.matchedCents < line.eligibleCents]
            },
            "hasPayments": !report.payments.isEmpty,
            "paid": Euros.format(report.paidCents), "matched": Euros.format(report.matchedCents),
            "contributed": Euros.format(report.paidCents + report.matchedCents),
            "expenses": report.expenses.map { expense in
                ["spentOn": ConsortiumCalendar.french(expense.spentOn), "supplier": expense.supplier, "object": expense.object,
                 "amount": Euros.format(expense.amountCents)]
            },
            "hasExpenses": !report.expenses.isEmpty, "expensesTotal": Euros.format(report.expensesCents),
            "balance": Euros.format(report.paidCents + report.matchedCents - report.expensesCents),
            "printedOn": ConsortiumCalendar.french(ConsortiumCalendar.today()),
        ], request, context)
    }

    private func expenses(
        _ request: Request, _ context: ConsortiumMemberContext, fields: [String: String] = [:], invalid: PartnershipInvalid? = nil,
        notice: String? = nil
    ) async throws -> Response {
        let round = request.uri.queryParameters["periode"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let expenses = try await ConsortiumFinance(context.database).expenses(fundingRound: round)
        var errors = FieldErrors()
        for problem in invalid?.problems ?? [] { errors.add(problem.field, problem.message) }
        var all: [String: Any] = [
            "pageTitle": "Dépenses du consortium", "heading": "Dépenses du consortium", "form": fields,
            "expenses": expenses.map { expense in
                ["id": expense.id, "spentOn": ConsortiumCalendar.french(expense.spentOn), "supplier": expense.supplier, "object": expense.object,
                 "amount": Euros.format(expense.amountCents), "round": expense.fundingRound] as [String: Any]
            },
            "hasExpenses": !expenses.isEmpty, "total": Euros.format(expenses.reduce(0) { $0 + $1.amountCents }),
        ]
        if let round { all["round"] = round }
        if let notice { all["notice"] = notice }
        all.merge(errors.values) { $1 }
        return render("partnership_expenses", all, request, context, status: invalid == nil ? .ok : .unprocessableContent)
    }

    private func expenseForm(
        _ request: Request, _ context: ConsortiumMemberContext, id: Int, fields: [String: String], invalid: PartnershipInvalid? = nil
    ) -> Response {
        var errors = FieldErrors()
        for problem in invalid?.problems ?? [] { errors.add(problem.field, problem.message) }
        var all: [String: Any] = ["pageTitle": "Modifier une dépense", "heading": "Modifier une dépense", "form": fields, "id": id]
        all.merge(errors.values) { $1 }
        return render("partnership_expense_form", all, request, context, status: invalid == nil ? .ok : .unprocessableContent)
    }

    private func committees(
        _ request: Request, _ context: ConsortiumMemberContext, fields: [String: String] = [:], invalid: PartnershipInvalid? = nil,
        notice: String? = nil
    ) async throws -> Response {
        let meetings = try await ConsortiumFinance(context.database).committees()
        let tenants = try await context.database.registeredTenants().sorted { $0.code < $1.code }
        var errors = FieldErrors()
        for problem in invalid?.problems ?? [] { errors.add(problem.field, problem.message) }
        var all: [String: Any] = [
            "pageTitle": "Comités du consortium", "heading": "Comités du consortium", "form": fields,
            "meetings": meetings.map { meeting in
                var item: [String: Any] = [
                    "id": meeting.id, "heldOn": ConsortiumCalendar.french(meeting.heldOn), "kind": meeting.kind.frenchName,
                    "attendees": meeting.attendees.isEmpty ? "—" : meeting.attendees.joined(separator: ", "),
                ]
                if let url = meeting.minutesURL { item["minutes"] = url }
                return item
            },
            "hasMeetings": !meetings.isEmpty,
            "kinds": CommitteeMeeting.Kind.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["kind"] == $0.rawValue] },
            "departements": tenants.map { ["id": $0.id, "name": $0.name, "checked": fields["attendee_\($0.id)"] != nil] },
        ]
        if let notice { all["notice"] = notice }
        all.merge(errors.values) { $1 }
        return render("partnership_committees", all, request, context, status: invalid == nil ? .ok : .unprocessableContent)
    }
}
