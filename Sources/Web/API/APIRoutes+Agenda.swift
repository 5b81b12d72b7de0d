import Agenda
import Booking
import Foundation
import Hummingbird
import Scheduling
import Tenancy

/// Services, plages d'ouverture and absences (with their recurrence and exceptions), and the
/// participants of collective sessions.
extension APIRoutes {
    func registerAgenda(on api: RouterGroup<APIRequestContext>) {
        api.get("/services") { _, context in
            let services = try await context.database.transaction { try await AgendaCatalog($0).services() }
            return APIResponse.json(["data": services.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name] }])
        }
        api.get("/plages") { request, context in
            let agentID = try await visibleAgent(request, context)
            let plages = try await context.database.transaction { try await PlageRepository($0).of(agentID: agentID) }
            return APIResponse.json(["data": plages.map(representations(context).plage)])
        }
        api.get("/plages/:id") { request, context in
            let plageID = try pathID(context)
            // One read of the plage; a plage of an agenda this agent may not see is not found.
            let plage = try await context.database.transaction { connection -> Plage? in
                guard let plage = try await PlageRepository(connection).find(plageID) else { return nil }
                return try await appointments(connection, context).visibleAgentIDs().contains(plage.agentID) ? plage : nil
            }
            guard let plage else { throw APIProblem.notFound }
            return APIResponse.conditional(request, representations(context).plage(plage))
        }
        api.get("/absences") { request, context in
            let agentID = try await visibleAgent(request, context)
            let absences = try await context.database.transaction { try await AbsenceRepository($0).of(agentID: agentID) }
            return APIResponse.json(["data": absences.map { representations(context).absence($0, agentID: agentID) }])
        }
        api.post("/absences") { request, context in
            var body = try await APIBody.read(request)
            let title = body.string("title", required: false, maximum: AbsenceChanges.titleLimit) ?? ""
            let span = body.span()
            try body.finish()
            guard let span else { throw APIProblem.invalid(body.errors) }
            let representations = representations(context), agentID = context.agent.id
            return try await idempotent(request, context, body: body) { connection in
                let changes = AbsenceChanges(connection, tenant: context.tenant, links: services.noticeLinks(context.tenant), agent: context.agent)
                let id = try await changes.create(title: title, span: span)
                return ("/api/v1/absences/\(id.uuidString.lowercased())", APIResponse.encode(representations.absence(try await changes.own(id), agentID: agentID)))
            }
        }
        api.delete("/absences/:id") { _, context in
            let absenceID = try pathID(context)
            try await context.database.transaction { connection in
                try await AbsenceChanges(connection, tenant: context.tenant, links: services.noticeLinks(context.tenant), agent: context.agent).delete(absenceID)
            }
            return Response(status: .noContent)
        }
        api.post("/rdvs/:id/participants") { request, context in
            var body = try await APIBody.read(request)
            let attendee = body.attendee()
            try body.finish()
            guard let attendee else { throw APIProblem.invalid(body.errors) }
            return try await change(request, context) { try await $0.addParticipant(to: $1, attendee) }
        }
        api.put("/rdvs/:id/participants/:usager/status") { request, context in
            var body = try await APIBody.read(request)
            let status = body.status()
            try body.finish()
            guard let status else { throw APIProblem.invalid(body.errors) }
            let usagerID = try pathID(context, "usager")
            return try await change(request, context) { try await $0.setParticipantStatus($1, usagerID: usagerID, to: status) }
        }
    }

    /// `agent_id` of the query (the token's own agent by default), when its agenda is visible.
    private func visibleAgent(_ request: Request, _ context: APIRequestContext) async throws -> UUID {
        var query = APIQuery(request)
        let asked = query.uuid("agent_id")
        try query.finish()
        let agentID = asked ?? context.agent.id
        let visible = try await context.database.transaction { try await appointments($0, context).visibleAgentIDs() }
        guard visible.contains(agentID) else { throw APIProblem.notFound }
        return agentID
    }
}

extension APIBody {
    /// `usager_id` (a usager of the département) or `usager` (a new one), checked as the pages check them.
    mutating func attendee() -> AppointmentAttendee? {
        if let usagerID = uuid("usager_id", required: false) { return .existing(usagerID) }
        guard let usager = object("usager") else {
            if errors.allSatisfy({ $0.field != "usager_id" }) {
                require(false, "usager_id", "Indiquez usager_id (un usager existant) ou usager (un nouvel usager).")
            }
            return nil
        }
        let (identity, problems) = UsagerIdentity.read(
            firstName: usager.text("first_name"), lastName: usager.text("last_name"), birthDate: usager.text("birth_date"),
            phone: usager.text("phone"), email: usager.text("email")
        )
        for problem in problems { require(false, "usager.\(problem.field)", problem.message) }
        return identity.map { .new(firstName: $0.firstName, lastName: $0.lastName, phone: $0.phone, email: $0.email, birthDate: $0.birthDate) }
    }

    /// `status`, one of the appointment statuses.
    mutating func status() -> RdvStatus? {
        let text = string("status", maximum: 20)
        let status = text.flatMap(RdvStatus.init(rawValue:))
        if text != nil { require(status != nil, "status", "Valeurs : unknown, seen, noshow, excused, revoked.") }
        return status
    }
}
