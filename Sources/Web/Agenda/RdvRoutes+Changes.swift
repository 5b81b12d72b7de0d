import Agenda
import Booking
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
            return try await change(request, context) { try await $0.setNotes($1, fields["notes"] ?? "") }
        }
        group.post("/rdv/:id/deplacer") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let clock = context.tenant.clock
            guard let day = LocalDate(iso: fields["day"] ?? ""), let time = LocalTime(fields["time"] ?? "") else {
                // The appointment first (another département's is not found), then the form.
                return try await change(request, context) { appointments, rdvID in
                    try await appointments.requireAccess(to: rdvID, edit: true)
                    throw RdvFormError.dayAndTime
                }
            }
            return try await change(request, context) { try await $0.move($1, to: clock.instant(day, time)) }
        }
        group.post("/rdv/:id/agents") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let other = UUID(uuidString: fields["agent"] ?? "")
            return try await change(request, context) { appointments, rdvID in
                guard let other else {
                    try await appointments.requireAccess(to: rdvID, edit: true)
                    throw RdvFormError.agent
                }
                try await appointments.changeAgent(other, of: rdvID, remove: fields["remove"] == "1")
            }
        }
    }
}

/// A change form filled in wrong.
enum RdvFormError: DomainError {
    case dayAndTime, agent

    var refusal: Refusal { .invalid }
    var title: String { "Formulaire incomplet" }
    var french: String {
        switch self {
        case .dayAndTime: "Indiquez un jour (AAAA-MM-JJ) et une heure (HH:MM)."
        case .agent: "Choisissez un agent."
        }
    }
}
