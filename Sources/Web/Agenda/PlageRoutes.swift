import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// Plages d'ouverture of the signed-in agent: create, edit or end a series, and change or
/// cancel one occurrence without touching the series.
struct PlageRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agenda/plages/nouvelle") { request, context in
            try await form(request, context, values: ["form": ["repeat": "once", "interval": "1", "ordinal": "1", "month_weekday": "1"]])
        }
        group.post("/agenda/plages") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await save(fields, plage: nil, request, context)
        }
        group.get("/agenda/plages/:id") { request, context in
            let plage = try await ownPlage(context)
            return try await form(request, context, values: ["form": Self.fields(of: plage)], plage: plage)
        }
        group.post("/agenda/plages/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await save(fields, plage: try await ownPlage(context), request, context)
        }
        group.post("/agenda/plages/:id/fin") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let plage = try await ownPlage(context)
            guard let lastDay = LocalDate(iso: fields["last_day"] ?? "") else {
                return try await form(request, context, values: [
                    "form": Self.fields(of: plage), "errors": ["Indiquez le dernier jour de la série (AAAA-MM-JJ)."],
                ], plage: plage, status: .unprocessableContent)
            }
            try await context.database.transaction { try await plages($0, context).end(plage.id, after: lastDay) }
            return redirect(to: "/agenda?semaine=\(lastDay)")
        }
        group.post("/agenda/plages/:id/occurrences/:day/annuler") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (plage, day) = try await ownOccurrence(context)
            try await context.database.transaction { try await plages($0, context).change(plage.id, on: day, to: .cancelled) }
            return redirect(to: "/agenda?semaine=\(day.adding(days: 1 - day.weekday.rawValue))")
        }
        group.get("/agenda/plages/:id/occurrences/:day") { request, context in
            let (plage, day) = try await ownOccurrence(context)
            return pages.render("occurrence_form", [
                "pageTitle": "Modifier une plage – \(context.tenant.name)",
                "action": request.uri.path, "day": day.description,
                "start": plage.span.start.description, "end": plage.span.end.description, "seriesLink": "/agenda/plages/\(plage.id)",
            ], request: request, context: context)
        }
        group.post("/agenda/plages/:id/occurrences/:day") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (plage, day) = try await ownOccurrence(context)
            let newDay = LocalDate(iso: fields["day"] ?? ""), start = LocalTime(fields["start"] ?? ""), end = LocalTime(fields["end"] ?? "")
            guard let newDay, let start, let end, start < end else {
                return pages.render("occurrence_form", [
                    "pageTitle": "Modifier une plage – \(context.tenant.name)", "action": request.uri.path,
                    "day": fields["day"] ?? "", "start": fields["start"] ?? "", "end": fields["end"] ?? "",
                    "errors": ["Indiquez une date (AAAA-MM-JJ) et des heures (HH:MM), la fin après le début."],
                ], request: request, context: context, status: .unprocessableContent)
            }
            try await context.database.transaction { try await plages($0, context).change(plage.id, on: day, to: .moved(date: newDay, start: start, end: end)) }
            return redirect(to: "/agenda?semaine=\(newDay)")
        }
    }

    /// The agent's plage use cases in this transaction.
    private func plages(_ connection: TenantConnection, _ context: AgentRequestContext) -> PlageChanges {
        PlageChanges(connection, tenant: context.tenant, links: forms.services.noticeLinks(context.tenant), agent: context.agent)
    }

    /// A plage of the signed-in agent's own agenda; 404 for anything else, another département's included.
    private func ownPlage(_ context: AgentRequestContext) async throws -> Plage {
        guard let plageID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        return try await context.database.transaction { try await plages($0, context).own(plageID) }
    }

    /// A day on which one of the agent's plages falls; 404 for anything else.
    private func ownOccurrence(_ context: AgentRequestContext) async throws -> (Plage, LocalDate) {
        guard let plageID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let day = context.parameters.get("day").flatMap(LocalDate.init(iso:))
        else { throw PublicError.pageNotFound }
        return (try await context.database.transaction { try await plages($0, context).ownOccurrence(plageID, on: day) }, day)
    }

    private func form(
        _ request: Request, _ context: AgentRequestContext, values: [String: Any], plage: Plage? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let organisationID = context.agent.organisationID
        let (lieux, motifs) = try await context.database.transaction { connection in
            (try await AgendaCatalog(connection).lieux(organisationID: organisationID), try await AgendaCatalog(connection).motifs(organisationID: organisationID))
        }
        let form = values["form"] as? [String: String] ?? [:]
        var all = values
        all["pageTitle"] = "\(plage == nil ? "Nouvelle plage d’ouverture" : "Modifier la plage d’ouverture") – \(context.tenant.name)"
        all["heading"] = plage == nil ? "Nouvelle plage d’ouverture" : "Modifier la série"
        all["action"] = plage.map { "/agenda/plages/\($0.id)" } ?? "/agenda/plages"
        if let plage {
            all["endAction"] = "/agenda/plages/\(plage.id)/fin"
            all["today"] = context.tenant.clock.localDate(of: Date()).description
        }
        all["lieux"] = lieux.map { ["id": $0.id.uuidString, "name": $0.name, "selected": form["lieu"] == $0.id.uuidString] }
        all["motifs"] = motifs.map { ["id": $0.id.uuidString, "name": $0.name, "duration": $0.durationMinutes, "checked": form["motif_\($0.id)"] == "on"] }
        all["weekdays"] = Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "checked": form["weekday_\($0.rawValue)"] == "on"] }
        all["monthWeekdays"] = Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": form["month_weekday"] == String($0.rawValue)] }
        all["intervals"] = (1...4).map { ["value": $0, "label": $0 == 1 ? "1 semaine" : "\($0) semaines", "selected": form["interval"] == String($0)] }
        all["ordinals"] = [(1, "1er"), (2, "2e"), (3, "3e"), (4, "4e"), (-1, "dernier")].map {
            ["value": $0.0, "label": $0.1, "selected": form["ordinal"] == String($0.0)]
        }
        for kind in ["once", "weekly", "monthly"] { all["repeat_\(kind)"] = (form["repeat"] ?? "once") == kind }
        return pages.render("plage_form", all, request: request, context: context, status: status)
    }

    /// The form fields that show a plage as it is.
    static func fields(of plage: Plage) -> [String: String] {
        var fields = fields(of: plage.span)
        fields["lieu"] = plage.lieuID.uuidString
        for motifID in plage.motifIDs { fields["motif_\(motifID)"] = "on" }
        return fields
    }

    /// The form fields that show days, hours and recurrence (of a plage or an absence).
    static func fields(of span: RecurringSpan) -> [String: String] {
        var fields = [
            "first_day": span.firstDay.description, "start": span.start.description, "end": span.end.description,
            "interval": "1", "ordinal": "1", "month_weekday": String(span.firstDay.weekday.rawValue),
        ]
        switch span.recurrence {
        case .once:
            fields["repeat"] = "once"
        case .weekly(let interval, let weekdays, let until):
            fields["repeat"] = "weekly"
            fields["interval"] = String(interval)
            for weekday in weekdays { fields["weekday_\(weekday.rawValue)"] = "on" }
            fields["until"] = until?.description ?? ""
        case .monthly(_, let ordinal, let weekday, let until):
            fields["repeat"] = "monthly"
            fields["ordinal"] = String(ordinal)
            fields["month_weekday"] = String(weekday.rawValue)
            fields["until"] = until?.description ?? ""
        }
        return fields
    }

    /// The days and hours of a plage or an absence form, or what is wrong with them (the rules
    /// are `RecurringSpan(_: PlageSpanDraft)`'s, shared with the API).
    static func span(from fields: [String: String]) -> (RecurringSpan?, [String]) {
        do {
            return (try RecurringSpan(draft(from: fields)), [])
        } catch {
            return (nil, error.problems.map(\.french))
        }
    }

    /// The form's fields as a draft: days ticked as `weekday_N`, numbers from their menus.
    static func draft(from fields: [String: String]) -> PlageSpanDraft {
        PlageSpanDraft(
            firstDay: fields["first_day"] ?? "", start: fields["start"] ?? "", end: fields["end"] ?? "",
            repeatKind: fields["repeat"] ?? "once", interval: Int(fields["interval"] ?? "1") ?? 1,
            weekdays: Set(fields.keys.filter { $0.hasPrefix("weekday_") }.compactMap { Int($0.dropFirst(8)) }),
            ordinal: Int(fields["ordinal"] ?? "1") ?? 0, monthWeekday: Int(fields["month_weekday"] ?? ""), until: fields["until"] ?? ""
        )
    }

    private func save(_ fields: [String: String], plage existing: Plage?, _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let lieuID = UUID(uuidString: fields["lieu"] ?? "")
        let motifIDs = fields.filter { $0.key.hasPrefix("motif_") && $0.value == "on" }.compactMap { UUID(uuidString: String($0.key.dropFirst(6))) }
        var (span, errors) = Self.span(from: fields)
        if lieuID == nil { errors.insert("Choisissez un lieu.", at: 0) }
        if motifIDs.isEmpty { errors.insert("Choisissez au moins un motif.", at: lieuID == nil ? 1 : 0) }
        guard errors.isEmpty, let lieuID, let span else {
            return try await form(request, context, values: ["errors": errors, "form": fields], plage: existing, status: .unprocessableContent)
        }
        let warnings: [String]
        do {
            warnings = try await context.database.transaction { try await plages($0, context).save(existing?.id, lieuID: lieuID, span: span, motifIDs: motifIDs).warnings }
        } catch PlageError.foreignLieuOrMotif {
            return try await form(request, context, values: ["errors": [PlageError.foreignLieuOrMotif.french], "form": fields], plage: existing, status: .unprocessableContent)
        }
        guard warnings.isEmpty else {
            return try await form(request, context, values: ["notice": "La plage est enregistrée. Attention : " + warnings.joined(separator: " "),
                // A new plage is saved: an empty form, so that sending it again makes no copy.
                "form": existing == nil ? [:] : fields], plage: existing)
        }
        return redirect(to: "/agenda?semaine=\(span.firstDay)")
    }
}
