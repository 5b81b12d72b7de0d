import Agenda
import Foundation
import Hummingbird
import Privacy
import Identity
import Scheduling
import Tenancy

/// The agents' daily tool: a week of their agenda, new plages d'ouverture, cancelling one
/// occurrence, and the free-slot search for a motif.
struct AgendaRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agenda") { request, context in try await week(request, context) }
        group.get("/creneaux") { request, context in try await slotsPage(request, context) }
        group.get("/usagers") { request, context in
            let text = (request.uri.queryParameters["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            let actor = AccessTrail.Actor(agentID: context.agent.id, ip: context.remoteAddress)
            let results: [(id: UUID, name: String, phone: String?, birthDate: LocalDate?, appointments: Int)] = text.count >= 2
                ? try await context.database.transaction { connection in
                    let found = try await UsagerRepository(connection).search(String(text.prefix(100)))
                    try await AccessTrail(connection).record(.searched, usagers: found.map(\.id), by: actor)
                    return found
                }
                : []
            return pages.render("usager_search", [
                "pageTitle": "Usagers – \(context.tenant.name)", "q": text, "searched": text.count >= 2,
                "canImport": Policy.can(context.agent.actor, .importUsagers),
                "results": results.map {
                    [
                        "id": $0.id.uuidString, "name": $0.name, "phone": $0.phone ?? "—", "appointments": $0.appointments,
                        "born": $0.birthDate.map(FrenchDates.numeric) ?? "—",
                    ]
                },
            ], request: request, context: context)
        }
        group.get("/agenda/a-renseigner") { request, context in
            let agentID = context.agent.id
            let clock = context.tenant.clock
            let pending = try await context.database.transaction { connection in
                try await RdvQueries(connection).awaitingOutcome(agentID: agentID, before: Date())
            }
            return pages.render("pending_outcomes", [
                "pageTitle": "Rendez-vous à renseigner – \(context.tenant.name)",
                "rdvs": pending.map { rdv in
                    let day = clock.localDate(of: rdv.range.start)
                    return [
                        "id": rdv.id.uuidString, "motif": rdv.motifName, "people": rdv.participants.joined(separator: ", "),
                        "when": "\(day.day)/\(day.month)/\(day.year) \(clock.localTime(of: rdv.range.start).french)",
                    ]
                },
            ], request: request, context: context)
        }
    }


    private func week(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let clock = context.tenant.clock
        let today = clock.localDate(of: Date())
        let asked = request.uri.queryParameters["semaine"].flatMap { LocalDate(iso: String($0)) } ?? today
        let monday = asked.adding(days: 1 - asked.weekday.rawValue)
        let me = context.agent
        // Colleagues' agendas, as the policy allows: the same service, the organisation, the département.
        let colleagues = try await context.database.transaction { connection -> [Agent] in
            let catalog = AgendaCatalog(connection)
            let actor = Actor(agentID: me.id, role: me.role, organisationID: me.organisationID, serviceIDs: try await catalog.serviceIDs(of: me.id))
            var visible: [Agent] = []
            for agent in try await AgentRepository(connection).all(in: nil) where agent.id != me.id && !agent.disabled {
                let target = AgentReference(agentID: agent.id, organisationID: agent.organisationID, serviceIDs: try await catalog.serviceIDs(of: agent.id))
                if Policy.can(actor, .viewAgenda(target)) { visible.append(agent) }
            }
            return visible
        }
        let askedAgent = request.uri.queryParameters["agent"].flatMap { UUID(uuidString: String($0)) }
        // An agent the policy does not show, or of another département, is simply not found.
        if let askedAgent, askedAgent != me.id, !colleagues.contains(where: { $0.id == askedAgent }) { throw PublicError.pageNotFound }
        let agentID = askedAgent ?? me.id
        let ownAgenda = agentID == me.id
        let (plages, rdvs, lieux, absences) = try await context.database.transaction { connection in
            (
                try await PlageRepository(connection).of(agentID: agentID),
                try await RdvQueries(connection).of(agentID: agentID, in: TimeRange(
                    start: clock.instant(monday, LocalTime(minutes: 0)!), end: clock.instant(monday.adding(days: 7), LocalTime(minutes: 0)!)
                )),
                try await AgendaCatalog(connection).lieux(),
                try await AbsenceRepository(connection).of(agentID: agentID)
            )
        }
        let lieuNames = Dictionary(uniqueKeysWithValues: lieux.map { ($0.id, $0.name) })
        let holidays = Holidays.days(year: monday.year, departement: context.tenant.code.value)
            .merging(Holidays.days(year: monday.year + 1, departement: context.tenant.code.value)) { $1 }
        let columns: [[String: Any]] = (0..<7).map { offset in
            let day = monday.adding(days: offset)
            let openings = plages.flatMap { plage in
                plage.span.occurrences(in: day...day, clock: clock).map { occurrence -> [String: Any] in
                    var values: [String: Any] = [
                        "time": "\(clock.localTime(of: occurrence.start).french) – \(clock.localTime(of: occurrence.end).french)",
                        "lieu": lieuNames[plage.lieuID] ?? "",
                        "lieuDay": "/agenda/lieux/\(plage.lieuID)/jour?date=\(day)",
                    ]
                    // Past days keep their history; only coming occurrences of one's own agenda can change.
                    if day >= today, ownAgenda {
                        values["cancelAction"] = "/agenda/plages/\(plage.id)/occurrences/\(day)/annuler"
                        values["changeLink"] = "/agenda/plages/\(plage.id)/occurrences/\(day)"
                        values["seriesLink"] = "/agenda/plages/\(plage.id)"
                    }
                    return values
                }
            }
            let appointments = rdvs.filter { clock.localDate(of: $0.range.start) == day }.map { rdv -> [String: Any] in
                var values: [String: Any] = [
                    "id": rdv.id.uuidString, "time": clock.localTime(of: rdv.range.start).french, "motif": rdv.motifName,
                    "people": rdv.participants.joined(separator: ", "), "status": rdv.status.frenchName,
                    "cancelled": !rdv.status.holdsTime,
                ]
                // A coming appointment's answer; once it has taken place, its outcome says more.
                if let confirmation = rdv.confirmation, rdv.status == .unknown {
                    values["confirmation"] = confirmation.frenchName
                    values["unconfirmed"] = confirmation.needsAttention
                }
                return values
            }
            let away = absences.flatMap { absence in
                absence.span.occurrences(in: day...day, clock: clock).map { occurrence -> [String: Any] in
                    var values: [String: Any] = ["time": "\(clock.localTime(of: occurrence.start).french) – \(clock.localTime(of: occurrence.end).french)"]
                    if ownAgenda { values["editLink"] = "/agenda/absences/\(absence.id)" }
                    return values
                }
            }
            var column: [String: Any] = [
                "label": "\(day.weekday.frenchName) \(day.day)/\(day.month < 10 ? "0" : "")\(day.month)",
                "openings": openings, "rdvs": appointments, "absences": away,
                "empty": openings.isEmpty && appointments.isEmpty && away.isEmpty,
            ]
            // Absent, not empty: an empty string still opens a Mustache section.
            if let holiday = holidays[day] { column["holiday"] = holiday }
            return column
        }
        let owner = ownAgenda ? nil : colleagues.first { $0.id == agentID }
        let agentQuery = ownAgenda ? "" : "&agent=\(agentID)"
        return pages.render("agenda_week", [
            "pageTitle": "\(owner.map { "Agenda de \($0.fullName)" } ?? "Mon agenda") – \(context.tenant.name)",
            "heading": owner.map { "Agenda de \($0.fullName)" } ?? "Mon agenda",
            "own": ownAgenda, "agentQuery": agentQuery,
            "colleagues": colleagues.map { ["id": $0.id.uuidString, "name": $0.fullName, "selected": $0.id == agentID] },
            "hasColleagues": !colleagues.isEmpty,
            "weekOf": "\(monday.day)/\(monday.month)/\(monday.year)", "weekStart": monday.description, "today": today.description,
            "previous": monday.adding(days: -7).description, "next": monday.adding(days: 7).description,
            "days": columns,
        ], request: request, context: context)
    }

    private func slotsPage(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let clock = context.tenant.clock
        let organisationID = context.agent.organisationID
        let motifID = request.uri.queryParameters["motif"].flatMap { UUID(uuidString: String($0)) }
        let usagerID = request.uri.queryParameters["usager"].flatMap { UUID(uuidString: String($0)) }
        let tenant = context.tenant
        let (motifs, lieux, usager, found, followUp) = try await context.database.transaction { connection in
            let catalog = AgendaCatalog(connection)
            let motifs = try await catalog.motifs(organisationID: organisationID)
            let usager = try await usagerID.asyncMap { try await UsagerRepository(connection).find($0) } ?? nil
            let chosen = motifID.flatMap { id in motifs.contains { $0.id == id } ? id : nil }
            // A follow-up motif is for the usager's referents only, so it needs the usager first.
            let followUp = try await chosen.asyncMap { try await MotifRepository(connection).find($0)?.rules.followUpOnly ?? false } ?? false
            let agents = try await followUp ? usager.asyncMap { try await UsagerRepository(connection).followUpAgents(of: $0.id) } ?? [] : nil
            let found = try await chosen.asyncMap {
                try await SlotSearch(connection, tenant: tenant).overview(motifID: $0, now: Date(), within: 42, limit: 300, agents: agents)
            }
            return (motifs, try await catalog.lieux(), usager, found, followUp)
        }
        if usagerID != nil, usager == nil { throw PublicError.pageNotFound }
        let slots = found?.slots ?? [], next = found?.next ?? [:]
        let lieuNames = Dictionary(uniqueKeysWithValues: lieux.map { ($0.id, $0.name) })
        let grouped = Dictionary(grouping: slots) { clock.localDate(of: $0.range.start) }
        let usagerQuery = usager.map { "&usager=\($0.id)" } ?? ""
        var values: [String: Any] = [
            "pageTitle": "Créneaux disponibles – \(context.tenant.name)",
            "motifs": motifs.map { ["id": $0.id.uuidString, "name": $0.name, "selected": $0.id == motifID] },
            "searched": motifID != nil,
            "next": next.sorted { ($0.value, lieuNames[$0.key] ?? "") < ($1.value, lieuNames[$1.key] ?? "") }.map { lieu, date in
                let day = clock.localDate(of: date)
                return ["lieu": lieuNames[lieu] ?? "", "when": "\(day.weekday.frenchName) \(day.day)/\(day.month)/\(day.year) à \(clock.localTime(of: date).french)"]
            },
            "days": grouped.keys.sorted().map { day in
                [
                    "label": "\(day.weekday.frenchName) \(day.day)/\(day.month)/\(day.year)",
                    "slots": (grouped[day] ?? []).map { slot in
                        [
                            "time": clock.localTime(of: slot.range.start).french, "lieu": lieuNames[slot.lieuID] ?? "",
                            "link": "/rdv/nouveau?motif=\(motifID?.uuidString ?? "")&agent=\(slot.agentID)&lieu=\(slot.lieuID)&debut=\(Int(slot.range.start.timeIntervalSince1970))\(usagerQuery)",
                        ]
                    },
                ] as [String: Any]
            },
        ]
        if let usager { values["usager"] = ["usagerID": usager.id.uuidString, "usagerName": usager.fullName] }
        if followUp { values["followUp"] = usager == nil ? "Motif de suivi : ouvrez d’abord la fiche de l’usager pour voir les créneaux de ses référents." : "Motif de suivi : seuls les créneaux des référents de l’usager sont proposés." }
        return pages.render("slots", values, request: request, context: context)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
