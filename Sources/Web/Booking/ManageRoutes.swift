import Agenda
import Booking
import Notifications
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// One appointment opened by the link of its messages, without a password: the first three
/// letters of the name, then see it, cancel it or move it (within the motif's deadlines).
struct ManageRoutes: Sendable {
    let routes: BookingRoutes

    func register(on router: Router<TenantRequestContext>) {
        // `/g/` in messages (SMS count every character), `/gerer/` readable for people typing it.
        for path in ["/g/:token", "/gerer/:token"] {
            router.get(RouterPath(path)) { request, context in
                let rdv = try await linked(context)
                if owns(rdv, context) { return try await page(rdv, check: "", request, context) }
                return routes.render("manage_check", ["pageTitle": "Mon rendez-vous – \(context.tenant.name)"], request, context)
            }
            router.post(RouterPath(path)) { request, context in
                let fields = try await routes.forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
                let rdv = try await linked(context)
                let check = String((fields["nom"] ?? "").prefix(100))
                if let refused = try await refuseCheck(rdv, check: check, request, context) { return refused }
                switch fields["action"] ?? "voir" {
                case "annuler":
                    return try await cancel(rdv, check: check, request, context)
                case "deplacer":
                    return try await move(rdv, to: fields["debut"], check: check, request, context)
                case "calendrier":
                    return try await calendarFile(rdv.id, context)
                case "attente":
                    return try await joinWaitingList(rdv, check: check, request, context)
                default:
                    return try await page(rdv, check: check, request, context)
                }
            }
        }
    }

    // MARK: Access

    /// The appointment a genuine, unexpired link of this département names; 404 for anything else.
    private func linked(_ context: TenantRequestContext) async throws -> PublicRdv {
        let links = SignedLink(secret: routes.services.configuration.secretKey, scope: context.tenant.schemaName)
        guard let claims = links.claims(of: context.parameters.get("token") ?? "") else {
            throw PublicError(.notFound, title: "Lien inconnu ou expiré", detail: "Ce lien n’est pas ou plus valable. Il expire après le rendez-vous.")
        }
        let rdv = try await context.database.transaction { try await PublicRdvRepository($0).find(claims.rdvID) }
        guard let rdv else { throw PublicError.pageNotFound }
        return rdv
    }

    /// A signed-in usager whose account holds the appointment needs no name check.
    private func owns(_ rdv: PublicRdv, _ context: TenantRequestContext) -> Bool {
        context.usager.map { rdv.accountIDs.contains($0.id) } ?? false
    }

    /// The light check: the first three letters of the name, throttled like a password.
    private func refuseCheck(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response? {
        if owns(rdv, context) { return nil }
        let key = ["manage|\(rdv.id)"]
        let expected = String(AddressKey.of(rdv.attendeeLastName).filter { $0 != " " }.prefix(3))
        let given = String(AddressKey.of(check).filter { $0 != " " }.prefix(3))
        let wait = try await context.database.transaction { connection -> Int? in
            let throttle = Throttle(connection, realm: .usagers)
            if let wait = try await throttle.retryAfter(key) { return wait }
            guard given.count >= min(3, expected.count), given == expected else {
                try await throttle.recordFailure(key)
                return 0
            }
            return nil
        }
        guard let wait else { return nil }
        let message = wait > 0
            ? "Trop d’essais. Réessayez dans \(max(1, wait / 60)) minute\(wait >= 120 ? "s" : "")."
            : "Ces lettres ne correspondent pas au nom de la personne attendue."
        return routes.render("manage_check", ["errors": [message]], request, context, status: wait > 0 ? .tooManyRequests : .unprocessableContent)
    }

    // MARK: Pages and actions

    struct View {
        var summary: AppointmentSummary
        let rules: MotifRules
        /// The motif left the catalogue since the booking: the appointment stands, but no new
        /// time is offered for it.
        let motifArchived: Bool
    }

    /// What the confirmation and manage pages show of an appointment.
    func view(_ rdvID: UUID, _ context: TenantRequestContext) async throws -> View? {
        let found = try await context.database.transaction { connection -> (PublicRdv, MotifRules, Bool)? in
            guard let rdv = try await PublicRdvRepository(connection).find(rdvID), let motif = try await MotifRepository(connection).find(rdv.motifID) else { return nil }
            return (rdv, motif.rules, motif.archived)
        }
        guard let (rdv, rules, archived) = found else { return nil }
        let clock = context.tenant.clock
        let summary = AppointmentSummary(
            motifName: rdv.motifName, when: FrenchDates.when(rdv.start, clock), attendee: "\(rdv.attendeeFirstName) \(rdv.attendeeLastName)",
            location: rules.locationType.frenchName, status: BookingRoutes.publicStatus(rdv.status), cancelled: !rdv.status.holdsTime,
            lieuName: rdv.lieuName, lieuAddress: rdv.lieuAddress.flatMap { $0.isEmpty ? nil : $0 },
            instructions: rules.instructionsAfter.isEmpty ? nil : rules.instructionsAfter, videoLink: rules.videoLink(for: rdv.id)
        )
        return View(summary: summary, rules: rules, motifArchived: archived)
    }

    /// The full manage link of an appointment, valid until a day after it.
    func link(_ rdvID: UUID, _ context: TenantRequestContext) async throws -> String {
        let rdv = try await context.database.transaction { try await PublicRdvRepository($0).find(rdvID) }
        guard let rdv else { throw PublicError.pageNotFound }
        return Self.link(rdv, tenant: context.tenant, configuration: routes.services.configuration)
    }

    static func link(_ rdv: PublicRdv, tenant: Tenant, configuration: AppConfiguration) -> String {
        NoticeLinks(secret: configuration.secretKey, publicURL: configuration.publicURL(slug: tenant.slug), scope: tenant.schemaName)
            .manage(rdvID: rdv.id, end: rdv.end)
    }

    private func page(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let view = try await view(rdv.id, context) else { throw PublicError.pageNotFound }
        let now = Date()
        var page = ManagePage(
            appointment: view.summary, pageTitle: "Mon rendez-vous – \(context.tenant.name)", check: check, notice: notice,
            errors: error.map { [$0] } ?? []
        )
        let coming = rdv.status == .unknown && rdv.start > now
        if coming, view.rules.cancellableByUsager, rdv.start.timeIntervalSince(now) > TimeInterval(view.rules.cancellationDeadlineMinutes * 60) {
            page.canCancel = true
        } else if coming {
            page.cannotCancel = "Ce rendez-vous ne s’annule plus en ligne. Appelez le service pour prévenir de votre absence."
        }
        let movable = coming && !rdv.collective && view.rules.movableByUsager && rdv.start.timeIntervalSince(now) > TimeInterval(view.rules.moveDeadlineMinutes * 60)
        if movable, view.motifArchived {
            page.cannotMove = BookingError.motifUnavailable.french
        } else if movable {
            let clock = context.tenant.clock
            let tenant = context.tenant
            let slots = try await context.database.transaction { connection in
                try await SlotSearch(connection, tenant: tenant).slots(motifID: rdv.motifID, now: now, within: 42, limit: 40, agents: Set(rdv.agentIDs), lieu: rdv.lieuID)
            }
            var seen = Set<Date>()
            page.moveSlots = slots.filter { seen.insert($0.range.start).inserted }.prefix(20).map {
                ManagePage.MoveSlot(label: FrenchDates.when($0.range.start, clock), debut: String(Int($0.range.start.timeIntervalSince1970)))
            }
            page.canMove = !seen.isEmpty
        }
        page.canDownload = rdv.status.holdsTime
        page.canWait = coming && !view.motifArchived && rdv.start.timeIntervalSince(now) > 7 * 86_400
        return routes.render("manage", page, request, context, status: status)
    }

    /// Someone whose appointment is more than a week away asks to be told of an earlier slot.
    private func joinWaitingList(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let view = try await view(rdv.id, context), !view.motifArchived else {
            return try await page(rdv, check: check, request, context, error: BookingError.motifUnavailable.french, status: BookingError.motifUnavailable.status)
        }
        guard rdv.status == .unknown, rdv.start.timeIntervalSinceNow > 7 * 86_400 else {
            return try await page(rdv, check: check, request, context, error: "La liste d’attente sert aux rendez-vous à plus d’une semaine.", status: .conflict)
        }
        let tenant = context.tenant
        try await context.database.transaction { connection in
            let usagers = UsagerRepository(connection)
            guard let attendee = try await usagers.find(rdv.attendeeID) else { return }
            let responsible = try await attendee.responsibleID.asyncMap { try await usagers.find($0) } ?? nil
            let contact = responsible ?? attendee
            let details = BookingDetails(
                firstName: contact.firstName, lastName: contact.lastName, phone: attendee.phone ?? contact.phone, email: attendee.email ?? contact.email,
                relative: responsible == nil ? nil : .init(firstName: attendee.firstName, lastName: attendee.lastName, birthDate: attendee.birthDate?.description)
            )
            _ = try await WaitingList(connection, tenant: tenant).add(motifID: rdv.motifID, lieuID: rdv.lieuID, laterRDV: rdv.id, details: details, address: nil)
        }
        return try await page(rdv, check: check, request, context, notice: "Vous êtes sur la liste d’attente : si un créneau plus tôt se libère, nous vous l’écrirons.")
    }

    private func cancel(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let view = try await view(rdv.id, context) else { throw PublicError.pageNotFound }
        let now = Date()
        guard rdv.status == .unknown, rdv.start > now, view.rules.cancellableByUsager,
              rdv.start.timeIntervalSince(now) > TimeInterval(view.rules.cancellationDeadlineMinutes * 60)
        else {
            return try await page(rdv, check: check, request, context, error: "Ce rendez-vous ne peut plus être annulé en ligne.", status: .conflict)
        }
        let tenant = context.tenant
        let links = routes.services.noticeLinks(tenant)
        try await context.database.transaction { connection in
            try await PublicRdvRepository(connection).cancel(rdv)
            try await AppointmentNotices(connection, tenant: tenant, links: links).record(.cancelled, rdvID: rdv.id, byUsager: true)
            // The slot goes back to the waiting list at once.
            if let lieu = rdv.lieuID {
                try await WaitingList(connection, tenant: tenant).slotFreed(motifID: rdv.motifID, lieuID: lieu, start: rdv.start, publicURL: links.publicURL)
            }
        }
        let updated = try await context.database.transaction { try await PublicRdvRepository($0).find(rdv.id) } ?? rdv
        return try await page(updated, check: check, request, context, notice: "Votre rendez-vous est annulé. Merci d’avoir prévenu : le créneau peut servir à quelqu’un d’autre.")
    }

    private func move(_ rdv: PublicRdv, to debut: String?, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let view = try await view(rdv.id, context), let seconds = Double(debut ?? "") else { throw PublicError(.badRequest, title: "Créneau manquant", detail: "Choisissez un nouveau créneau.") }
        let now = Date()
        guard rdv.status == .unknown, !rdv.collective, view.rules.movableByUsager, !view.motifArchived,
              rdv.start.timeIntervalSince(now) > TimeInterval(view.rules.moveDeadlineMinutes * 60)
        else {
            return try await page(rdv, check: check, request, context, error: "Ce rendez-vous ne peut plus être déplacé en ligne.", status: .conflict)
        }
        let start = Date(timeIntervalSince1970: seconds)
        let tenant = context.tenant
        let clock = tenant.clock
        let links = routes.services.noticeLinks(tenant)
        do {
            try await context.database.transaction { connection in
                // Only a time the engine offers: the motif's delays, the agent's plages, absences and holidays.
                let free = try await SlotSearch(connection, tenant: tenant).slots(motifID: rdv.motifID, now: now, within: 42, agents: Set(rdv.agentIDs), lieu: rdv.lieuID)
                guard free.contains(where: { $0.range.start == start }) else { throw BookingError.slotTaken }
                try await RdvRepository(connection).move(rdv.id, to: start, byAgent: nil)
                try await AppointmentNotices(connection, tenant: tenant, links: links).record(.moved, rdvID: rdv.id, byUsager: true)
            }
        } catch BookingError.slotTaken {
            return try await page(rdv, check: check, request, context, error: BookingError.slotTaken.french, status: BookingError.slotTaken.status)
        }
        let updated = try await context.database.transaction { try await PublicRdvRepository($0).find(rdv.id) } ?? rdv
        return try await page(updated, check: check, request, context, notice: "Votre rendez-vous est déplacé au \(FrenchDates.when(start, clock)).")
    }

    /// The appointment as an `.ics` file.
    func calendarFile(_ rdvID: UUID, _ context: TenantRequestContext) async throws -> Response {
        let found = try await context.database.transaction { connection -> (PublicRdv, MotifRules)? in
            guard let rdv = try await PublicRdvRepository(connection).find(rdvID), let rules = try await MotifRepository(connection).find(rdv.motifID)?.rules else { return nil }
            return (rdv, rules)
        }
        guard let (rdv, rules) = found else { throw PublicError.pageNotFound }
        let event = CalendarEvent(
            uid: "\(rdv.id.uuidString.lowercased())@\(context.tenant.slug)", start: rdv.start, end: rdv.end,
            summary: rules.sensitive ? "Rendez-vous – \(context.tenant.name)" : "\(rdv.motifName) – \(context.tenant.name)",
            location: [rdv.lieuName, rdv.lieuAddress].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "),
            description: rules.sensitive ? "" : rules.instructionsAfter
        )
        return Response(
            status: .ok,
            headers: [.contentType: "text/calendar; charset=utf-8", .contentDisposition: "attachment; filename=\"rendez-vous.ics\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: event.ics(method: rdv.status.holdsTime ? .publish : .cancel)))
        )
    }
}
