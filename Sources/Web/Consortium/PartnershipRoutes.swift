import Agenda
import Consortium
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// The partnership registry on `console.`, for operators only (`/partenariat/...`): each
/// département's census, conventions, payments and pilot sites. The money pages are in
/// `PartnershipRoutes+Finance.swift`.
struct PartnershipRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(site router: Router<ConsortiumRequestContext>) {
        let group = router.group("/partenariat").add(middleware: ConsoleOnly()).group(context: ConsortiumMemberContext.self)
        group.get("/departements/:id") { request, context in
            try await departementPage(request, context, tenantID: try id(context))
        }
        group.post("/departements/:id/recensement") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context)
            return try await departementWrite(request, context, tenantID: tenantID, form: "census", fields: fields, notice: "Recensement enregistré.") {
                try await PartnershipService(context.database).updateCensus(CensusDraft(fields), tenantID: tenantID, by: actor(context))
            }
        }
        group.get("/departements/:id/conventions/nouvelle") { request, context in
            let file = try await PartnershipService(context.database).departement(try id(context))
            return conventionForm(request, context, file: file, conventionID: nil, fields: [:])
        }
        group.post("/departements/:id/conventions") { request, context in
            try await saveConvention(request, context, conventionID: nil)
        }
        group.get("/departements/:id/conventions/:convention/modifier") { request, context in
            let file = try await PartnershipService(context.database).departement(try id(context))
            let conventionID = try id(context, "convention")
            guard let convention = file.conventions.first(where: { $0.record.id == conventionID })?.record else { throw PartnershipNotFound() }
            return conventionForm(request, context, file: file, conventionID: conventionID, fields: Self.fields(of: convention))
        }
        group.post("/departements/:id/conventions/:convention") { request, context in
            try await saveConvention(request, context, conventionID: try id(context, "convention"))
        }
        group.post("/departements/:id/conventions/:convention/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context)
            try await PartnershipService(context.database).deleteConvention(try id(context, "convention"), tenantID: tenantID, by: actor(context))
            return redirect(to: "/partenariat/departements/\(tenantID)")
        }
        group.post("/departements/:id/conventions/:convention/paiements") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context), conventionID = try id(context, "convention")
            return try await departementWrite(
                request, context, tenantID: tenantID, form: "payment-\(conventionID)", fields: fields, notice: "Paiement enregistré."
            ) {
                try await PartnershipService(context.database).recordPayment(
                    PaymentDraft(fields), conventionID: conventionID, tenantID: tenantID, by: actor(context)
                )
            }
        }
        group.post("/departements/:id/paiements/:payment/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context)
            try await PartnershipService(context.database).deletePayment(try id(context, "payment"), tenantID: tenantID, by: actor(context))
            return redirect(to: "/partenariat/departements/\(tenantID)")
        }
        group.post("/departements/:id/sites") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context)
            return try await departementWrite(request, context, tenantID: tenantID, form: "site", fields: fields, notice: "Site pilote ajouté.") {
                try await PartnershipService(context.database).addPilotSite(PilotSiteDraft(fields), tenantID: tenantID, by: actor(context))
            }
        }
        group.post("/departements/:id/sites/:site/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let tenantID = try id(context)
            try await PartnershipService(context.database).deletePilotSite(try id(context, "site"), tenantID: tenantID, by: actor(context))
            return redirect(to: "/partenariat/departements/\(tenantID)")
        }
        registerFinance(on: group)
    }

    /// Runs a write of the département page: the page again with a notice, or with the refused
    /// form's problems and what was typed (422).
    private func departementWrite(
        _ request: Request, _ context: ConsortiumMemberContext, tenantID: Int, form: String, fields: [String: String], notice: String,
        _ write: () async throws -> Void
    ) async throws -> Response {
        do {
            try await write()
        } catch let invalid as PartnershipInvalid {
            return try await departementPage(request, context, tenantID: tenantID, failed: (form, fields, invalid), status: .unprocessableContent)
        }
        return try await departementPage(request, context, tenantID: tenantID, notice: notice)
    }

    private func departementPage(
        _ request: Request, _ context: ConsortiumMemberContext, tenantID: Int,
        failed: (form: String, fields: [String: String], invalid: PartnershipInvalid)? = nil, notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let file = try await PartnershipService(context.database).departement(tenantID)
        /// The refused form's fields and error flags, its field ids suffixed like its inputs.
        func values(of form: String, defaults: [String: String] = [:]) -> [String: Any] {
            guard let failed, failed.form == form else { return defaults }
            var values: [String: Any] = failed.fields
            for problem in failed.invalid.problems { values["invalid_\(problem.field)"] = true }
            values["failed"] = true
            return values
        }
        var errors = FieldErrors()
        for problem in failed?.invalid.problems ?? [] {
            let suffix = failed!.form.hasPrefix("payment-") ? "-" + failed!.form.dropFirst("payment-".count) : ""
            errors.add(problem.field + suffix, problem.message)
        }
        var all: [String: Any] = [
            "pageTitle": "\(file.name) – Partenariat", "heading": "Partenariat – \(file.name)", "id": tenantID, "code": file.code,
            "census": values(of: "census", defaults: [
                "population": file.census?.population.map(String.init) ?? "", "census_year": file.census?.year.map(String.init) ?? "",
            ]),
            "populationText": file.census?.population.map { "\(Euros.grouped($0)) habitants" + (file.census?.year.map { " (recensement \($0))" } ?? "") }
                ?? "non renseignée",
            "managedNote": file.census?.managedInConsoleAt.map {
                "Adhésion modifiée dans la console le \(FrenchDates.timestamp($0, timeZone: "Europe/Paris")) : « rdv tenants apply » laisse ces champs tels quels, sauf avec --fichier-prioritaire."
            } ?? "Adhésion tenue par le fichier du département (Tenants/) : une modification ici la fait passer à la console.",
            "conventions": file.conventions.map { convention in
                var item = Self.values(of: convention.record)
                item["due"] = Euros.format(convention.dueCents)
                item["paid"] = Euros.format(convention.paidCents)
                item["payments"] = convention.payments.map {
                    ["id": $0.id, "paidOn": ConsortiumCalendar.french($0.paidOn), "amount": Euros.format($0.amountCents)] as [String: Any]
                }
                item["hasPayments"] = !convention.payments.isEmpty
                item["paymentForm"] = values(of: "payment-\(convention.record.id)")
                return item
            },
            "hasConventions": !file.conventions.isEmpty,
            "sites": file.pilotSites.map { ["id": $0.id, "tenantID": tenantID, "organisation": $0.organisation, "referent": $0.referent, "contact": $0.contact] as [String: Any] },
            "hasSites": !file.pilotSites.isEmpty,
            "siteForm": values(of: "site", defaults: ["organisation": "", "referent": "", "contact": ""]),
        ]
        all.merge(errors.values) { $1 }
        if let notice { all["notice"] = notice }
        return render("partnership_departement", all, request, context, status: status)
    }

    private func saveConvention(_ request: Request, _ context: ConsortiumMemberContext, conventionID: Int?) async throws -> Response {
        let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
        let tenantID = try id(context)
        let service = PartnershipService(context.database)
        do {
            try await service.saveConvention(ConventionDraft(fields), tenantID: tenantID, id: conventionID, by: actor(context))
        } catch let invalid as PartnershipInvalid {
            return conventionForm(request, context, file: try await service.departement(tenantID), conventionID: conventionID, fields: fields, invalid: invalid)
        }
        return redirect(to: "/partenariat/departements/\(tenantID)")
    }

    private func conventionForm(
        _ request: Request, _ context: ConsortiumMemberContext, file: PartnershipService.DepartementFile, conventionID: Int?,
        fields: [String: String], invalid: PartnershipInvalid? = nil
    ) -> Response {
        var errors = FieldErrors()
        for problem in invalid?.problems ?? [] { errors.add(problem.field, problem.message) }
        let title = conventionID == nil ? "Nouvelle convention – \(file.name)" : "Convention – \(file.name)"
        var all: [String: Any] = [
            "pageTitle": title, "heading": title, "id": file.tenantID,
            "action": "/partenariat/departements/\(file.tenantID)/conventions" + (conventionID.map { "/\($0)" } ?? ""),
            "form": fields,
            "kinds": ConventionKind.allCases.map { ["value": $0.rawValue, "label": $0.frenchName.capitalized, "selected": fields["kind"] == $0.rawValue] },
        ]
        all.merge(errors.values) { $1 }
        return render("partnership_convention_form", all, request, context, status: invalid == nil ? .ok : .unprocessableContent)
    }

    /// A convention's fields as the form shows them for editing.
    static func fields(of convention: ConventionRecord) -> [String: String] {
        [
            "funding_round": convention.fundingRound, "kind": convention.kind.rawValue, "signed_on": convention.signedOn?.description ?? "",
            "starts_on": convention.startsOn.description, "ends_on": convention.endsOn.description,
            "contribution_due_on": convention.contributionDueOn.description,
            "agreed_contribution": convention.agreedContributionCents.map(Euros.editable) ?? "",
        ]
    }

    /// A convention as the pages show it.
    static func values(of convention: ConventionRecord) -> [String: Any] {
        [
            "id": convention.id, "tenantID": convention.tenantID, "round": convention.fundingRound, "kind": convention.kind.frenchName,
            "departement": convention.departementName,
            "signedOn": convention.signedOn.map(ConsortiumCalendar.french) ?? "non renseignée",
            "startsOn": ConsortiumCalendar.french(convention.startsOn), "endsOn": ConsortiumCalendar.french(convention.endsOn),
            "dueOn": ConsortiumCalendar.french(convention.contributionDueOn),
            "agreed": convention.agreedContributionCents != nil,
        ]
    }

    func render(
        _ template: String, _ values: [String: Any], _ request: Request, _ context: ConsortiumMemberContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        pages.render(
            template, values, request: request, siteName: context.spaceName,
            navigation: .init(home: "/", homeLabel: "Accueil", accountName: context.account.fullName, accountLink: nil),
            sessionToken: context.sessionToken, status: status
        )
    }

    func actor(_ context: ConsortiumMemberContext) -> PartnershipService.Actor {
        .init(accountID: context.account.id, ip: context.remoteAddress)
    }

    func id(_ context: ConsortiumMemberContext, _ name: String = "id") throws -> Int {
        guard let raw = context.parameters.get(name), raw.count <= 18, let value = Int(raw), value > 0 else { throw PartnershipNotFound() }
        return value
    }
}

/// The partnership pages are the directorate's: `stats.` answers them as pages that do not
/// exist, before asking anyone to sign in.
struct ConsoleOnly: RouterMiddleware {
    typealias Context = ConsortiumRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.space == .operator_ else { throw PublicError.pageNotFound }
        return try await next(request, context)
    }
}
