import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Scheduling
import Tenancy

/// Booking an appointment for a usager, its page, and its status (seen, no-show, cancelled).
struct RdvRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/rdv/nouveau") { request, context in try await bookingForm(request, context) }
        group.post("/rdv") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await book(fields, request, context)
        }
        group.get("/rdv/:id") { request, context in try await rdvPage(request, context) }
        group.post("/rdv/:id/participants") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await change(request, context) { appointments, rdvID in
                try await appointments.addParticipant(to: rdvID, firstName: fields["first_name"] ?? "", lastName: fields["last_name"] ?? "")
            }
        }
        registerChanges(on: group)
        group.post("/rdv/:id/statut") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let status = RdvStatus(rawValue: fields["status"] ?? "") else { throw PublicError.pageNotFound }
            return try await change(request, context) { try await $0.setStatus($1, to: status) }
        }
        group.post("/rdv/:id/liste-attente") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await change(request, context) { try await $0.waitForEarlier($1) }
        }
    }

    /// The agent's appointment use cases in this transaction.
    func appointments(_ connection: TenantConnection, _ context: AgentRequestContext) -> AgentAppointments {
        AgentAppointments(connection, tenant: context.tenant, links: forms.services.noticeLinks(context.tenant), agent: context.agent)
    }

    /// One change to the appointment of the path, in one transaction: then its page; a refused
    /// change shows the page again with the reason (unknown and forbidden go to the error pages).
    func change(
        _ request: Request, _ context: AgentRequestContext, _ body: @escaping @Sendable (AgentAppointments, UUID) async throws -> Void
    ) async throws -> Response {
        guard let rdvID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        do {
            try await context.database.transaction { try await body(appointments($0, context), rdvID) }
        } catch let error as any DomainError where error.refusal != .notFound && error.refusal != .forbidden {
            return try await rdvPage(request, context, error: error.french, status: error.status)
        }
        return redirect(to: "/rdv/\(rdvID)")
    }

    /// 404 for an appointment of another département or one the agent may not see; 403 to change one only seen.
    func requireAccess(to rdvID: UUID, _ context: AgentRequestContext, edit: Bool) async throws {
        try await context.database.transaction { try await appointments($0, context).requireAccess(to: rdvID, edit: edit) }
    }

    private func bookingForm(_ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let query = request.uri.queryParameters
        var all = values
        all["pageTitle"] = "Nouveau rendez-vous – \(context.tenant.name)"
        for key in ["motif", "agent", "lieu", "debut", "usager"] { all[key] = all[key] ?? query[Substring(key)].map(String.init) ?? "" }
        if let usagerID = UUID(uuidString: all["usager"] as? String ?? "") {
            guard let usager = try await context.database.transaction({ try await UsagerRepository($0).find(usagerID) }) else {
                throw PublicError.pageNotFound
            }
            all["usagerName"] = usager.fullName
        } else {
            all["usager"] = nil
        }
        if let seconds = Double(all["debut"] as? String ?? "") {
            let clock = context.tenant.clock
            let start = Date(timeIntervalSince1970: seconds)
            let day = clock.localDate(of: start)
            all["when"] = "\(day.weekday.frenchName) \(day.day)/\(day.month)/\(day.year) à \(clock.localTime(of: start).french)"
        }
        return pages.render("rdv_form", all, request: request, context: context, status: status)
    }

    private func book(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let motifID = UUID(uuidString: fields["motif"] ?? ""), let agentID = UUID(uuidString: fields["agent"] ?? ""),
              let lieuID = UUID(uuidString: fields["lieu"] ?? ""), let seconds = Double(fields["debut"] ?? "")
        else { throw PublicError(.badRequest, title: "Créneau incomplet", detail: "Choisissez un créneau depuis la recherche de créneaux.") }
        // An existing usager (from their record), or a new one from the names typed.
        let existingID = UUID(uuidString: fields["usager"] ?? "")
        let (identity, errors) = existingID != nil ? (nil, []) : UsagerRecordRoutes.identity(from: fields)
        guard errors.isEmpty else {
            return try await bookingForm(request, context, values: ["errors": errors, "form": fields].merging(fields) { $1 }, status: .unprocessableContent)
        }
        let start = Date(timeIntervalSince1970: seconds)
        let attendee: AppointmentAttendee = if let existingID { .existing(existingID) } else if let identity {
            .new(firstName: identity.firstName, lastName: identity.lastName, phone: identity.phone, email: identity.email, birthDate: identity.birthDate)
        } else { throw PublicError.pageNotFound }
        do {
            let rdvID = try await context.database.transaction { connection in
                try await appointments(connection, context).book(motifID: motifID, lieuID: lieuID, agentID: agentID, start: start, for: attendee)
            }
            return redirect(to: "/rdv/\(rdvID)")
        } catch let error as any DomainError where error.refusal != .notFound && error.refusal != .forbidden {
            return try await bookingForm(request, context, values: ["errors": [error.french], "form": fields].merging(fields) { $1 }, status: error.status)
        }
    }

    func rdvPage(_ request: Request, _ context: AgentRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let rdvID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        try await requireAccess(to: rdvID, context, edit: false)
        let (found, history, seats, agents, services, origin) = try await context.database.transaction { connection in
            (
                try await RdvQueries(connection).find(rdvID), try await RdvRepository(connection).history(rdvID),
                try await RdvQueries(connection).seats(rdvID), try await AgentRepository(connection).all(in: nil),
                try await AgendaCatalog(connection).serviceIDsByAgent(), try await RdvQueries(connection).origin(rdvID)
            )
        }
        let messages = try await context.database.transaction { try await MessageLog($0).of(rdvID: rdvID) }
        let me = context.agent
        let actor = Actor(agentID: me.id, role: me.role, organisationID: me.organisationID, serviceIDs: services[me.id] ?? [])
        guard let found else { throw PublicError.pageNotFound }
        let rdv = found.summary
        let clock = context.tenant.clock
        let day = clock.localDate(of: rdv.range.start)
        let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        var values: [String: Any] = [
            "pageTitle": "Rendez-vous – \(context.tenant.name)",
            "id": rdvID.uuidString, "motif": rdv.motifName, "lieu": rdv.lieuName ?? "—",
            "when": "\(day.weekday.frenchName) \(day.day)/\(day.month)/\(day.year), \(clock.localTime(of: rdv.range.start).french) – \(clock.localTime(of: rdv.range.end).french)",
            "status": rdv.status.frenchName, "people": rdv.participants,
            "unconfirmed": rdv.status == .unknown && rdv.confirmation?.needsAttention == true,
            "statuses": RdvStatus.allCases.filter { $0 != rdv.status }.map { ["value": $0.rawValue, "label": $0.frenchName] },
            "history": history.map { ["at": formatter.string(from: $0.0), "what": Self.describe($0.1)] },
        ]
        values["error"] = error
        // Absent when nothing was asked: an empty string would still open the section.
        if let confirmation = rdv.confirmation { values["confirmation"] = confirmation.frenchName }
        values["notes"] = found.notes
        values["messages"] = messages.map { message in
            [
                "channel": message.channel == .sms ? "SMS" : "Courriel", "kind": message.frenchKind, "state": message.frenchState,
                "to": message.recipient, "when": formatter.string(from: message.sentAt ?? message.due),
            ]
        }
        values["hasMessages"] = !messages.isEmpty
        values["origin"] = switch origin?.createdBy {
        case "usager": "En ligne, par l’usager"
        case "waiting_list": "Par la liste d’attente"
        case "api": origin?.apiToken.map { "Par l’API (\($0))" } ?? "Par l’API"
        default: "Par un agent"
        }
        if let prescripteur = origin?.prescripteur { values["prescripteur"] = prescripteur }
        values["agents"] = agents.filter { found.agentIDs.contains($0.id) }.map { ["agentID": $0.id.uuidString, "agentName": $0.fullName] }
        values["severalAgents"] = found.agentIDs.count > 1
        values["otherAgents"] = agents.filter { agent in
            !found.agentIDs.contains(agent.id) && !agent.disabled
                && Policy.can(actor, .editAgenda(AgentReference(agentID: agent.id, organisationID: agent.organisationID, serviceIDs: services[agent.id] ?? [])))
        }.map { ["agentID": $0.id.uuidString, "agentName": $0.fullName] }
        values["hasOtherAgents"] = !((values["otherAgents"] as? [[String: String]]) ?? []).isEmpty
        if rdv.status == .unknown {
            values["movable"] = true
            values["moveDay"] = day.description
            values["moveTime"] = clock.localTime(of: rdv.range.start).description
        }
        // A coming appointment more than a week away may wait for an earlier slot, as online.
        let tenant = context.tenant
        let waiting = try await context.database.transaction { try await WaitingList($0, tenant: tenant).isWaiting(rdvID: rdvID) }
        if waiting {
            values["waiting"] = true
        } else if rdv.status == .unknown, seats == nil, rdv.range.start.timeIntervalSinceNow > OnlineChangeRights.waitingListLead {
            values["canWait"] = true
        }
        if let seats {
            values["collective"] = true
            values["seats"] = "\(seats.taken) / \(seats.capacity) places"
            values["full"] = seats.taken >= seats.capacity
        }
        return pages.render("rdv", values, request: request, context: context, status: status)
    }

    static func describe(_ action: String) -> String {
        if action == "created" { return "Rendez-vous créé" }
        if action == "participant_added" { return "Participant ajouté" }
        if action.hasPrefix("participant_status:"), let status = RdvStatus(rawValue: String(action.dropFirst(19))) {
            return "Statut d’un participant : \(status.frenchName)"
        }
        if action == "moved" { return "Rendez-vous déplacé" }
        if action == "notes" { return "Notes modifiées" }
        if action == "agent_added" { return "Agent ajouté" }
        if action == "agent_removed" { return "Agent retiré" }
        if action.hasPrefix("status:"), let status = RdvStatus(rawValue: String(action.dropFirst(7))) { return "Statut : \(status.frenchName)" }
        if action.hasPrefix("confirmation:"), let state = ConfirmationState(rawValue: String(action.dropFirst(13))) {
            return "Confirmation : \(state.frenchName)"
        }
        return action
    }
}
