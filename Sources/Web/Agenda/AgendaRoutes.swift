import Agenda
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// The agents' daily tool: a week of their agenda, new plages d'ouverture, cancelling one
/// occurrence, and the free-slot search for a motif.
struct AgendaRoutes: Sendable {
    let database: Database
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agenda") { request, context in try await week(request, context) }
        group.get("/agenda/plages/nouvelle") { request, context in try await plageForm(request, context) }
        group.post("/agenda/plages") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await createPlage(fields, request, context)
        }
        group.post("/agenda/plages/:id/occurrences/:day/annuler") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let plageID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let day = context.parameters.get("day").flatMap(LocalDate.init(iso:))
            else { throw PublicError.pageNotFound }
            let agent = context.agent
            let found = try await database.tenant(context.tenant).transaction { connection -> LocalDate? in
                // Only a plage of the agent's own agenda, in this département.
                guard try await PlageRepository(connection).of(agentID: agent.id).contains(where: { $0.id == plageID }) else { return nil }
                try await PlageRepository(connection).change(plage: plageID, on: day, to: .cancelled)
                return day
            }
            guard found != nil else { throw PublicError.pageNotFound }
            return redirect(to: "/agenda?semaine=\(day.adding(days: 1 - day.weekday.rawValue))")
        }
        group.get("/creneaux") { request, context in try await slotsPage(request, context) }
        group.get("/usagers") { request, context in
            let text = (request.uri.queryParameters["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            let results = text.count >= 2
                ? try await database.tenant(context.tenant).transaction { try await UsagerRepository($0).search(String(text.prefix(100))) }
                : []
            return pages.render("usager_search", [
                "pageTitle": "Usagers – \(context.tenant.name)", "q": text, "searched": text.count >= 2,
                "results": results.map { ["name": $0.name, "phone": $0.phone ?? "—", "appointments": $0.appointments] },
            ], request: request, context: context)
        }
        group.get("/agenda/plages/:id/occurrences/:day") { request, context in
            let (plage, day) = try await ownOccurrence(context)
            return pages.render("occurrence_form", [
                "pageTitle": "Modifier une plage – \(context.tenant.name)",
                "action": request.uri.path, "day": day.description,
                "start": plage.span.start.description, "end": plage.span.end.description,
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
            try await database.tenant(context.tenant).transaction { connection in
                try await PlageRepository(connection).change(plage: plage.id, on: day, to: .moved(date: newDay, start: start, end: end))
            }
            return redirect(to: "/agenda?semaine=\(newDay)")
        }
        group.get("/agenda/absences/nouvelle") { request, context in
            pages.render("absence_form", [
                "pageTitle": "Nouvelle absence – \(context.tenant.name)",
                "weekdays": Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName] },
            ], request: request, context: context)
        }
        group.post("/agenda/absences") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (span, errors) = Self.span(from: fields)
            guard let span, errors.isEmpty else {
                return pages.render("absence_form", [
                    "pageTitle": "Nouvelle absence – \(context.tenant.name)", "errors": errors, "form": fields,
                    "weekdays": Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName] },
                ], request: request, context: context, status: .unprocessableContent)
            }
            let title = String((fields["title"] ?? "").prefix(200))
            let agentID = context.agent.id
            try await database.tenant(context.tenant).transaction { connection in
                try await AbsenceRepository(connection).create(agentID: agentID, title: title, span: span)
            }
            return redirect(to: "/agenda?semaine=\(span.firstDay)")
        }
        group.get("/agenda/a-renseigner") { request, context in
            let agentID = context.agent.id
            let clock = clock(context.tenant)
            let pending = try await database.tenant(context.tenant).transaction { connection in
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

    func clock(_ tenant: Tenant) -> WallClock { WallClock(timeZone: tenant.timeZone) ?? WallClock(timeZone: "Europe/Paris")! }

    private func week(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let clock = clock(context.tenant)
        let today = clock.localDate(of: Date())
        let asked = request.uri.queryParameters["semaine"].flatMap { LocalDate(iso: String($0)) } ?? today
        let monday = asked.adding(days: 1 - asked.weekday.rawValue)
        let me = context.agent
        // Colleagues' agendas, as the policy allows: the same service, the organisation, the département.
        let colleagues = try await database.tenant(context.tenant).transaction { connection -> [Agent] in
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
        let (plages, rdvs, lieux, absences) = try await database.tenant(context.tenant).transaction { connection in
            (
                try await PlageRepository(connection).of(agentID: agentID),
                try await RdvQueries(connection).of(agentID: agentID, in: TimeRange(
                    start: clock.instant(monday, LocalTime(minutes: 0)!), end: clock.instant(monday.adding(days: 7), LocalTime(minutes: 0)!)
                )),
                try await AgendaCatalog(connection).lieux(),
                try await AbsenceRepository(connection).spans(of: [agentID])[agentID] ?? []
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
                    ]
                    // Past days keep their history; only coming occurrences of one's own agenda can change.
                    if day >= today, ownAgenda {
                        values["cancelAction"] = "/agenda/plages/\(plage.id)/occurrences/\(day)/annuler"
                        values["changeLink"] = "/agenda/plages/\(plage.id)/occurrences/\(day)"
                    }
                    return values
                }
            }
            let appointments = rdvs.filter { clock.localDate(of: $0.range.start) == day }.map { rdv -> [String: Any] in
                [
                    "id": rdv.id.uuidString, "time": clock.localTime(of: rdv.range.start).french, "motif": rdv.motifName,
                    "people": rdv.participants.joined(separator: ", "), "status": rdv.status.frenchName,
                    "cancelled": !rdv.status.holdsTime,
                ]
            }
            let away = absences.flatMap { $0.occurrences(in: day...day, clock: clock) }.map {
                ["time": "\(clock.localTime(of: $0.start).french) – \(clock.localTime(of: $0.end).french)"]
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

    private func plageForm(_ request: Request, _ context: AgentRequestContext, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let organisationID = context.agent.organisationID
        let (lieux, motifs) = try await database.tenant(context.tenant).transaction { connection in
            (try await AgendaCatalog(connection).lieux(organisationID: organisationID), try await AgendaCatalog(connection).motifs(organisationID: organisationID))
        }
        var all = values
        all["pageTitle"] = "Nouvelle plage d’ouverture – \(context.tenant.name)"
        all["lieux"] = lieux.map { ["id": $0.id.uuidString, "name": $0.name] }
        all["motifs"] = motifs.map { ["id": $0.id.uuidString, "name": $0.name, "duration": $0.durationMinutes] }
        all["weekdays"] = Weekday.allCases.map { ["value": $0.rawValue, "label": $0.frenchName] }
        return pages.render("plage_form", all, request: request, context: context, status: status)
    }

    /// A coming occurrence of a plage of the signed-in agent; 404 for anything else.
    private func ownOccurrence(_ context: AgentRequestContext) async throws -> (Plage, LocalDate) {
        guard let plageID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let day = context.parameters.get("day").flatMap(LocalDate.init(iso:))
        else { throw PublicError.pageNotFound }
        let agentID = context.agent.id
        let plage = try await database.tenant(context.tenant).transaction { connection in
            try await PlageRepository(connection).of(agentID: agentID).first { $0.id == plageID }
        }
        guard let plage, !plage.span.recurrence.days(from: plage.span.firstDay, in: day...day).isEmpty else { throw PublicError.pageNotFound }
        return (plage, day)
    }

    /// The days and hours of a plage or an absence form, or what is wrong with them.
    static func span(from fields: [String: String]) -> (RecurringSpan?, [String]) {
        var errors: [String] = []
        let firstDay = LocalDate(iso: fields["first_day"] ?? "")
        let start = LocalTime(fields["start"] ?? ""), end = LocalTime(fields["end"] ?? "")
        let weekdays = Set(fields.filter { $0.key.hasPrefix("weekday_") }.compactMap { Int($0.key.dropFirst(8)).flatMap(Weekday.init(rawValue:)) })
        let until = (fields["until"] ?? "").isEmpty ? nil : LocalDate(iso: fields["until"] ?? "")
        if firstDay == nil { errors.append("Le premier jour doit être une date (AAAA-MM-JJ).") }
        if start == nil || end == nil { errors.append("Les heures s’écrivent HH:MM.") } else if let start, let end, end <= start {
            errors.append("L’heure de fin doit suivre l’heure de début.")
        }
        if fields["repeat"] == "weekly", weekdays.isEmpty { errors.append("Choisissez les jours de la semaine.") }
        if !(fields["until"] ?? "").isEmpty, until == nil { errors.append("La date de fin doit être une date (AAAA-MM-JJ).") }
        if let until, let firstDay, until < firstDay { errors.append("La date de fin précède le premier jour.") }
        guard errors.isEmpty, let firstDay, let start, let end else { return (nil, errors) }
        let recurrence: Recurrence = fields["repeat"] == "weekly"
            ? .weekly(interval: max(1, min(4, Int(fields["interval"] ?? "1") ?? 1)), on: weekdays, until: until)
            : .once
        return (RecurringSpan(firstDay: firstDay, start: start, end: end, recurrence: recurrence), [])
    }

    private func createPlage(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let lieuID = UUID(uuidString: fields["lieu"] ?? "")
        let motifIDs = fields.filter { $0.key.hasPrefix("motif_") && $0.value == "on" }.compactMap { UUID(uuidString: String($0.key.dropFirst(6))) }
        var (span, errors) = Self.span(from: fields)
        if lieuID == nil { errors.insert("Choisissez un lieu.", at: 0) }
        if motifIDs.isEmpty { errors.insert("Choisissez au moins un motif.", at: lieuID == nil ? 1 : 0) }
        guard errors.isEmpty, let lieuID, let span else {
            return try await plageForm(request, context, values: ["errors": errors, "form": fields], status: .unprocessableContent)
        }
        let firstDay = span.firstDay
        let organisationID = context.agent.organisationID
        let agentID = context.agent.id
        let clock = clock(context.tenant)
        let saved = try await database.tenant(context.tenant).transaction { connection -> [String]? in
            let catalog = AgendaCatalog(connection)
            // Lieu and motifs must be of the agent's organisation in this département.
            guard try await catalog.lieux(organisationID: organisationID).contains(where: { $0.id == lieuID }) else { return nil }
            let motifs = try await catalog.motifs(organisationID: organisationID)
            guard motifIDs.allSatisfy({ id in motifs.contains { $0.id == id } }) else { return nil }
            let plages = PlageRepository(connection)
            // Warnings, not refusals: the agent may mean it.
            var warnings: [String] = []
            let length = span.end.minutes - span.start.minutes
            for motif in motifs where motifIDs.contains(motif.id) && motif.durationMinutes > length {
                warnings.append("Le motif « \(motif.name) » dure \(motif.durationMinutes) minutes, plus que cette plage : aucun créneau n’y tiendra.")
            }
            let horizon = span.firstDay...span.firstDay.adding(days: 84)
            let mine = span.occurrences(in: horizon, clock: clock)
            if try await plages.of(agentID: agentID).contains(where: { other in
                other.span.occurrences(in: horizon, clock: clock).contains { occurrence in mine.contains { $0.overlaps(occurrence) } }
            }) {
                warnings.append("Cette plage chevauche une autre de vos plages d’ouverture.")
            }
            try await plages.create(agentID: agentID, lieuID: lieuID, span: span, motifIDs: motifIDs)
            return warnings
        }
        guard let warnings = saved else {
            return try await plageForm(request, context, values: ["errors": ["Ce lieu ou ce motif n’existe pas dans votre organisation."], "form": fields], status: .unprocessableContent)
        }
        guard warnings.isEmpty else {
            return try await plageForm(request, context, values: [
                "notice": "La plage est enregistrée. Attention : " + warnings.joined(separator: " "),
            ])
        }
        return redirect(to: "/agenda?semaine=\(firstDay)")
    }

    private func slotsPage(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let clock = clock(context.tenant)
        let organisationID = context.agent.organisationID
        let motifID = request.uri.queryParameters["motif"].flatMap { UUID(uuidString: String($0)) }
        let tenant = context.tenant
        let (motifs, lieux, slots, next) = try await database.tenant(context.tenant).transaction { connection in
            let catalog = AgendaCatalog(connection)
            let motifs = try await catalog.motifs(organisationID: organisationID)
            let chosen = motifID.flatMap { id in motifs.contains { $0.id == id } ? id : nil }
            let found = try await chosen.asyncMap {
                try await SlotSearch(connection, tenant: tenant).overview(motifID: $0, now: Date(), within: 42, limit: 300)
            }
            return (motifs, try await catalog.lieux(), found?.slots ?? [], found?.next ?? [:])
        }
        let lieuNames = Dictionary(uniqueKeysWithValues: lieux.map { ($0.id, $0.name) })
        let grouped = Dictionary(grouping: slots) { clock.localDate(of: $0.range.start) }
        return pages.render("slots", [
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
                            "link": "/rdv/nouveau?motif=\(motifID?.uuidString ?? "")&agent=\(slot.agentID)&lieu=\(slot.lieuID)&debut=\(Int(slot.range.start.timeIntervalSince1970))",
                        ]
                    },
                ] as [String: Any]
            },
        ], request: request, context: context)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
