import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// Absences of the signed-in agent: create, change, remove. An absence blocks the agent's
/// slots everywhere in the département.
struct AbsenceRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agenda/absences/nouvelle") { request, context in
            form(request, context, values: ["form": ["repeat": "once"]])
        }
        group.post("/agenda/absences") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (span, errors) = PlageRoutes.span(from: fields)
            guard let span, errors.isEmpty else {
                return form(request, context, values: ["errors": errors, "form": fields], status: .unprocessableContent)
            }
            try await context.database.transaction { try await absences($0, context).create(title: fields["title"] ?? "", span: span) }
            return redirect(to: "/agenda?semaine=\(span.firstDay)")
        }
        group.get("/agenda/absences/:id") { request, context in
            let absence = try await ownAbsence(context)
            var fields = PlageRoutes.fields(of: absence.span)
            fields["title"] = absence.title
            return form(request, context, values: ["form": fields], absence: absence)
        }
        group.post("/agenda/absences/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let absence = try await ownAbsence(context)
            let (span, errors) = PlageRoutes.span(from: fields)
            guard let span, errors.isEmpty else {
                return form(request, context, values: ["errors": errors, "form": fields], absence: absence, status: .unprocessableContent)
            }
            try await context.database.transaction { try await absences($0, context).update(absence.id, title: fields["title"] ?? "", span: span) }
            return redirect(to: "/agenda?semaine=\(span.firstDay)")
        }
        group.post("/agenda/absences/:id/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let absence = try await ownAbsence(context)
            try await context.database.transaction { try await absences($0, context).delete(absence.id) }
            return redirect(to: "/agenda?semaine=\(absence.span.firstDay)")
        }
    }

    /// An absence of the signed-in agent; 404 for anything else, another département's included.
    private func ownAbsence(_ context: AgentRequestContext) async throws -> Absence {
        guard let absenceID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        return try await context.database.transaction { try await absences($0, context).own(absenceID) }
    }

    /// The agent's absence use cases in this transaction.
    private func absences(_ connection: TenantConnection, _ context: AgentRequestContext) -> AbsenceChanges {
        AbsenceChanges(connection, tenant: context.tenant, links: forms.services.noticeLinks(context.tenant), agent: context.agent)
    }

    private func form(
        _ request: Request, _ context: AgentRequestContext, values: [String: Any], absence: Absence? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let form = values["form"] as? [String: String] ?? [:]
        var all = values
        all["pageTitle"] = "\(absence == nil ? "Nouvelle absence" : "Modifier l’absence") – \(context.tenant.name)"
        all["heading"] = absence == nil ? "Nouvelle absence" : "Modifier l’absence"
        all["action"] = absence.map { "/agenda/absences/\($0.id)" } ?? "/agenda/absences"
        if let absence { all["deleteAction"] = "/agenda/absences/\(absence.id)/supprimer" }
        all["weekdays"] = Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "checked": form["weekday_\($0.rawValue)"] == "on"] }
        all["intervals"] = (1...4).map { ["value": $0, "label": $0 == 1 ? "1 semaine" : "\($0) semaines", "selected": form["interval"] == String($0)] }
        for kind in ["once", "weekly"] { all["repeat_\(kind)"] = (form["repeat"] ?? "once") == kind }
        return pages.render("absence_form", all, request: request, context: context, status: status)
    }
}
