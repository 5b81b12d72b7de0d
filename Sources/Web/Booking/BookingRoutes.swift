import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Scheduling
import Tenancy

/// Online booking on the département's site: address, service, motif, lieu, day and time, then
/// who it is for and how to reach them. Pages are rendered on the server; links and GET forms
/// carry the choices, so a cheap phone on a slow connection gets small pages that need no script.
struct BookingRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on router: Router<TenantRequestContext>) {
        router.get("/prendre-rdv") { request, context in try await step(request, context) }
        router.get("/prendre-rdv/coordonnees") { request, context in
            let flow = BookingFlow(request: request)
            let chosen = try await chosenSlot(flow, context)
            guard try await isFree(chosen, address: flow.address, context) else { return try await takenPage(flow, chosen, request, context) }
            return render("booking_details", try await detailsValues(flow, chosen, context, form: [:]), request, context)
        }
        BookingRequestRoutes(routes: self).register(on: router)
        ManageRoutes(routes: self).register(on: router)
        ConfirmationRoutes(routes: self).register(on: router)
        WaitingListRoutes(routes: self).register(on: router)
    }

    func render(_ template: String, _ model: some PageModel, _ request: Request, _ context: TenantRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        render(template, model.templateValues, request, context, status: status)
    }

    func render(_ template: String, _ values: [String: Any], _ request: Request, _ context: TenantRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        let navigation = context.usager.map { TenantPages.Navigation(home: "/mon-compte", homeLabel: "Mon espace", accountName: $0.fullName, accountLink: nil) }
        var all = values
        all["pageTitle"] = all["pageTitle"] ?? "Prendre rendez-vous – \(context.tenant.name)"
        // `has_<list>` for each non-empty list: templates open a block around a list only when it has items.
        for (key, value) in values {
            if let list = value as? [Any], !list.isEmpty { all["has_\(key)"] = true }
        }
        return pages.render(template, all, request: request, siteName: context.tenant.name, navigation: navigation, sessionToken: context.usagerSessionToken, status: status)
    }


    static func frenchDay(_ day: LocalDate) -> String { FrenchDates.day(day) }


    /// A status in the words of the person received.
    static func publicStatus(_ status: RdvStatus) -> String {
        switch status {
        case .unknown: "Prévu"
        case .seen: "Honoré"
        case .noshow: "Absence non excusée"
        case .excused: "Annulé"
        case .revoked: "Annulé par le service"
        }
    }

    /// The step the flow has reached.
    private func step(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let asked = BookingFlow(request: request)
        let tenant = context.tenant
        let clock = tenant.clock
        let now = Date()
        let typed = (request.uri.queryParameters["commune_saisie"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        let outcome = try await context.database.transaction { connection -> StepValues in
            var flow = asked
            let offer = OnlineOffer(connection)
            var step = StepValues(flow: flow)
            if try await offer.needsAddress(), flow.communeCode == nil {
                let suggestions = typed.count >= 2 ? try await SectorRepository(connection).communes(matching: typed, limit: 10) : []
                let exact = suggestions.filter { AddressKey.of($0.name) == AddressKey.of(typed) || $0.code == typed }
                if exact.count == 1, let commune = exact.first {
                    flow.communeCode = commune.code
                    flow.communeName = commune.name
                } else {
                    step["addressStep"] = true
                    step["typed"] = typed
                    step["street"] = flow.street ?? ""
                    if !typed.isEmpty {
                        step["communeChoices"] = suggestions.map { commune in
                            ["label": "\(commune.name) (\(commune.code))", "link": flow.with { $0.communeCode = commune.code; $0.communeName = commune.name }.url()]
                        }
                        if suggestions.isEmpty { step["unknownCommune"] = "Nous ne trouvons pas « \(typed) » parmi les communes du département. Vérifiez l’orthographe ou le code postal de votre commune." }
                    }
                    step.flow = flow
                    return step
                }
            }
            let motifs = try await offer.motifs(for: flow.address)
            guard !motifs.isEmpty else {
                step["nothing"] = "Aucun rendez-vous ne se prend en ligne pour cette adresse. Contactez directement le service du département."
                step.flow = flow
                return step
            }
            let services = Array(Set(motifs.map { ServiceChoice(id: $0.serviceID, name: $0.serviceName) })).sorted { $0.name < $1.name }
            if flow.serviceID == nil, services.count == 1 { flow.serviceID = services[0].id }
            guard let serviceID = flow.serviceID, services.contains(where: { $0.id == serviceID }) else {
                step["serviceStep"] = services.map { service in ["label": service.name, "link": flow.with { $0.serviceID = service.id }.url()] }
                step.flow = flow
                return step
            }
            let ofService = motifs.filter { $0.serviceID == serviceID }
            step["serviceName"] = services.first { $0.id == serviceID }?.name
            guard let motifID = flow.motifID, let motif = ofService.first(where: { $0.id == motifID }) else {
                step["motifStep"] = ofService.map { motif -> [String: Any] in
                    var item: [String: Any] = ["label": motif.name, "duration": motif.durationMinutes, "link": flow.with { $0.motifID = motif.id }.url()]
                    if !motif.instructionsBefore.isEmpty { item["instructions"] = motif.instructionsBefore }
                    return item
                }
                step.flow = flow
                return step
            }
            step["motifName"] = motif.name
            if !motif.instructionsBefore.isEmpty { step["instructions"] = motif.instructionsBefore }
            let agents = try await offer.agents(for: motif, address: flow.address)
            let lieux = try await AgendaCatalog(connection).lieux()
            let search = SlotSearch(connection, tenant: tenant)
            guard let lieuID = flow.lieuID, let lieu = lieux.first(where: { $0.id == lieuID }) else {
                let next = try await search.overview(motifID: motif.id, now: now, within: 42, limit: 1, agents: agents).next
                step["lieuStep"] = true
                step["lieux"] = lieux.filter { next[$0.id] != nil }.sorted { next[$0.id]! < next[$1.id]! }.map { lieu in
                    ["label": lieu.name, "address": lieu.address, "next": FrenchDates.when(next[lieu.id]!, clock), "link": flow.with { $0.lieuID = lieu.id }.url()]
                }
                if next.isEmpty {
                    step["noSlot"] = true
                    step["waitingFields"] = flow.hiddenFields
                }
                step.flow = flow
                return step
            }
            step["lieuName"] = lieu.name
            step["lieuAddress"] = lieu.address
            // The week asked, or the week of the lieu's first free slot.
            let today = clock.localDate(of: now)
            var monday = flow.week.map { $0.adding(days: 1 - $0.weekday.rawValue) }
            if monday == nil, let first = try await search.slots(motifID: motif.id, now: now, limit: 1, agents: agents, lieu: lieu.id).first {
                let day = clock.localDate(of: first.range.start)
                monday = day.adding(days: 1 - day.weekday.rawValue)
            }
            guard let monday else {
                step["lieuStep"] = true
                step["noSlot"] = true
                step["waitingFields"] = flow.hiddenFields
                step.flow = flow
                return step
            }
            let days = max(1, today.days(until: monday.adding(days: 7)) + 1)
            let slots = try await search.slots(motifID: motif.id, now: now, within: days, agents: agents, lieu: lieu.id)
                .filter { (monday..<monday.adding(days: 7)).contains(clock.localDate(of: $0.range.start)) }
            var seen = Set<Date>()
            let distinct = slots.filter { seen.insert($0.range.start).inserted }
            let grouped = Dictionary(grouping: distinct) { clock.localDate(of: $0.range.start) }
            step["slotStep"] = true
            step["weekLabel"] = "Semaine du \(Self.frenchDay(monday))"
            if monday > today.adding(days: 1 - today.weekday.rawValue) { step["previousWeek"] = flow.with { $0.week = monday.adding(days: -7) }.url() }
            step["nextWeek"] = flow.with { $0.week = monday.adding(days: 7) }.url()
            step["days"] = grouped.keys.sorted().map { day in
                [
                    "label": Self.frenchDay(day),
                    "times": (grouped[day] ?? []).map { slot in
                        ["time": clock.localTime(of: slot.range.start).french, "link": flow.with { $0.start = slot.range.start }.url("/prendre-rdv/coordonnees")]
                    },
                ] as [String: Any]
            }
            if distinct.isEmpty { step["emptyWeek"] = true }
            step.flow = flow
            return step
        }
        var values = outcome.values
        values["summary"] = summary(outcome.flow, values)
        return render("booking", values, request, context)
    }

    /// A step's page values (strings, numbers, lists of them) and the flow as completed on the way.
    struct StepValues: @unchecked Sendable {
        var values: [String: Any] = [:]
        var flow: BookingFlow

        init(flow: BookingFlow) { self.flow = flow }

        subscript(key: String) -> Any? {
            get { values[key] }
            set { values[key] = newValue }
        }
    }

    private struct ServiceChoice: Hashable {
        let id: UUID
        let name: String
    }

    /// The choices made so far, each with a link to change it (which forgets the later ones).
    func summary(_ flow: BookingFlow, _ names: [String: Any]) -> [[String: String]] {
        var lines: [[String: String]] = []
        if let name = flow.communeName ?? flow.communeCode {
            lines.append(["label": "Adresse", "value": [flow.street, name].compactMap { $0 }.joined(separator: ", "), "change": BookingFlow().url()])
        }
        let base = BookingFlow().with { $0.communeCode = flow.communeCode; $0.communeName = flow.communeName; $0.street = flow.street }
        if let service = names["serviceName"] as? String {
            lines.append(["label": "Service", "value": service, "change": base.url()])
        }
        if let motif = names["motifName"] as? String {
            lines.append(["label": "Motif", "value": motif, "change": base.with { $0.serviceID = flow.serviceID }.url()])
        }
        if let lieu = names["lieuName"] as? String {
            lines.append(["label": "Lieu", "value": lieu, "change": base.with { $0.serviceID = flow.serviceID; $0.motifID = flow.motifID }.url()])
        }
        return lines
    }

    /// A chosen slot, checked again: the motif is open online at this address, the lieu exists, the time is free.
    struct ChosenSlot: Sendable {
        let motif: OnlineMotif
        let rules: MotifRules
        let lieu: Lieu
        let start: Date
        let end: Date
    }

    func chosenSlot(_ flow: BookingFlow, _ context: TenantRequestContext) async throws -> ChosenSlot {
        guard let motifID = flow.motifID, let lieuID = flow.lieuID, let start = flow.start else {
            throw PublicError(.badRequest, title: "Créneau incomplet", detail: "Choisissez d’abord un motif, un lieu et un créneau.")
        }
        let found = try await context.database.transaction { connection -> ChosenSlot? in
            let offer = OnlineOffer(connection)
            guard let motif = try await offer.motif(motifID, for: flow.address),
                  let rules = try await MotifRepository(connection).find(motifID)?.rules,
                  let lieu = try await AgendaCatalog(connection).lieux().first(where: { $0.id == lieuID })
            else { return nil }
            return ChosenSlot(motif: motif, rules: rules, lieu: lieu, start: start, end: start.addingTimeInterval(TimeInterval(motif.durationMinutes * 60)))
        }
        guard let found else { throw PublicError.pageNotFound }
        return found
    }

    /// Whether the chosen time is one the engine offers now (delays, plages, absences, appointments).
    func isFree(_ chosen: ChosenSlot, address: BookingAddress?, _ context: TenantRequestContext) async throws -> Bool {
        let tenant = context.tenant
        return try await context.database.transaction { connection in
            let agents = try await OnlineOffer(connection).agents(for: chosen.motif, address: address)
            let days = Int(chosen.start.timeIntervalSinceNow / 86_400) + 2
            guard days > 0 else { return false }
            return try await SlotSearch(connection, tenant: tenant).slots(motifID: chosen.motif.id, now: Date(), within: days, agents: agents, lieu: chosen.lieu.id)
                .contains { $0.range.start == chosen.start }
        }
    }

    /// The chosen time is not (or no longer) free: the nearest others, each leading back to the details form.
    func takenPage(_ flow: BookingFlow, _ chosen: ChosenSlot, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let clock = context.tenant.clock
        let nearest = try await nearestSlots(to: chosen.start, motif: chosen.motif, lieuID: chosen.lieu.id, address: flow.address, context)
        return render("booking_taken", [
            "when": FrenchDates.when(chosen.start, clock),
            "links": nearest.map { date in ["label": FrenchDates.when(date, clock), "link": flow.with { $0.start = date }.url("/prendre-rdv/coordonnees")] },
            "slots": nearest.map { ["label": FrenchDates.when($0, clock)] }, "restart": flow.with { $0.start = nil }.url(),
        ], request, context, status: .conflict)
    }

    /// Free slots of the same motif and lieu nearest to `start`, to offer when it was just taken.
    func nearestSlots(to start: Date, motif: OnlineMotif, lieuID: UUID, address: BookingAddress?, _ context: TenantRequestContext) async throws -> [Date] {
        let tenant = context.tenant
        return try await context.database.transaction { connection in
            let agents = try await OnlineOffer(connection).agents(for: motif, address: address)
            return try await SlotSearch(connection, tenant: tenant).nearest(to: start, motifID: motif.id, now: Date(), agents: agents, lieu: lieuID)
        }
    }

    func detailsValues(_ flow: BookingFlow, _ chosen: ChosenSlot, _ context: TenantRequestContext, form: [String: String], errors: [(String, String)] = []) async throws -> [String: Any] {
        let clock = context.tenant.clock
        var form = form
        if form.isEmpty, let account = context.usager {
            let contact = try await context.database.transaction { connection in
                let space = UsagerSpace(connection, accountID: account.id)
                return try await space.contact(of: try await space.ownRecord(firstName: account.firstName, lastName: account.lastName, email: account.email))
            }
            form = ["prenom": account.firstName, "nom": account.lastName, "email": contact.email ?? account.email, "telephone": contact.phone ?? ""]
        }
        var values: [String: Any] = [
            "pageTitle": "Vos coordonnées – Prendre rendez-vous – \(context.tenant.name)",
            "when": FrenchDates.when(chosen.start, clock), "motifName": chosen.motif.name, "lieuName": chosen.lieu.name, "lieuAddress": chosen.lieu.address,
            "hidden": flow.hiddenFields, "form": form, "back": flow.with { $0.start = nil }.url(),
            "forRelative": form["pour"] == "proche", "isPrescripteur": form["prescripteur"] == "on",
            "errors": errors.map(\.1), "fieldErrors": errors.map { ["field": $0.0, "message": $0.1] },
        ]
        if context.usager != nil { values["signedIn"] = true } else { values["accountLink"] = "/mon-compte/connexion?retour=\(flow.url("/prendre-rdv/coordonnees").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        for (field, message) in errors { values["error_\(field)"] = message }
        return values
    }
}
