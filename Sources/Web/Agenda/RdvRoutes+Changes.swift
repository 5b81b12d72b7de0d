import Agenda
import Foundation
import Hummingbird
import Identity
import Notifications
import Scheduling
import Tenancy

/// Moving an appointment, adding or removing its agents, writing its notes.
extension RdvRoutes {
    func registerChanges(on group: RouterGroup<AgentRequestContext>) {
        group.post("/rdv/:id/notes") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let rdvID = try await editableRdv(context)
            let notes = (fields["notes"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard notes.count <= 5000 else {
                return try await rdvPage(request, context, error: "Les notes comptent au plus 5 000 caractères.", status: .unprocessableContent)
            }
            let agentID = context.agent.id
            try await context.database.transaction { try await RdvRepository($0).setNotes(rdvID, notes, byAgent: agentID) }
            return redirect(to: "/rdv/\(rdvID)")
        }
        group.post("/rdv/:id/deplacer") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let rdvID = try await editableRdv(context)
            let clock = context.tenant.clock
            guard let day = LocalDate(iso: fields["day"] ?? ""), let time = LocalTime(fields["time"] ?? "") else {
                return try await rdvPage(request, context, error: "Indiquez un jour (AAAA-MM-JJ) et une heure (HH:MM).", status: .unprocessableContent)
            }
            let status = try await context.database.transaction { try await RdvQueries($0).find(rdvID)?.summary.status }
            guard status == .unknown else {
                return try await rdvPage(request, context, error: "Seul un rendez-vous à venir, ni annulé ni renseigné, se déplace.", status: .conflict)
            }
            let agentID = context.agent.id
            do {
                let tenant = context.tenant
                let links = forms.services.noticeLinks(tenant)
                try await context.database.transaction { connection in
                    try await RdvRepository(connection).move(rdvID, to: clock.instant(day, time), byAgent: agentID)
                    try await AppointmentNotices(connection, tenant: tenant, links: links).record(.moved, rdvID: rdvID, byUsager: false, actingAgentID: agentID)
                }
            } catch let error as BookingError where error == .slotTaken {
                return try await rdvPage(request, context, error: "Un agent du rendez-vous est déjà pris à ce moment-là. " + error.french, status: error.status)
            }
            return redirect(to: "/rdv/\(rdvID)")
        }
        group.post("/rdv/:id/agents") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let rdvID = try await editableRdv(context)
            guard let otherID = UUID(uuidString: fields["agent"] ?? "") else {
                return try await rdvPage(request, context, error: "Choisissez un agent.", status: .unprocessableContent)
            }
            // The agent added or removed must be one whose agenda this agent may change, in this département.
            guard let (actor, target) = try await actorAndTarget(context, target: otherID) else { throw PublicError.pageNotFound }
            guard Policy.can(actor, .editAgenda(target)) else { throw PublicError.forbidden }
            let me = context.agent.id
            do {
                try await context.database.transaction { connection in
                    let repository = RdvRepository(connection)
                    if fields["remove"] == "1" {
                        try await repository.removeAgent(otherID, from: rdvID, byAgent: me)
                    } else {
                        try await repository.addAgent(otherID, to: rdvID, byAgent: me)
                    }
                }
            } catch let error as BookingError where error == .slotTaken {
                return try await rdvPage(request, context, error: "Cet agent a déjà un rendez-vous à ce moment-là. " + error.french, status: error.status)
            }
            return redirect(to: "/rdv/\(rdvID)")
        }
    }

    /// The appointment named by the path, which this agent may change.
    private func editableRdv(_ context: AgentRequestContext) async throws -> UUID {
        guard let rdvID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        try await requireAccess(to: rdvID, context, edit: true)
        return rdvID
    }
}
