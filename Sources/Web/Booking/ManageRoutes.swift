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
                do {
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
                } catch let error as any DomainError where error.refusal != .notFound {
                    // A refused change: the same page, saying why.
                    return try await page(rdv, check: check, request, context, error: error.french, status: error.status)
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
        let rights = OnlineChangeRights(rdv, rules: view.rules, motifArchived: view.motifArchived, now: now)
        if rights.mayCancel {
            page.canCancel = true
        } else if rights.coming {
            page.cannotCancel = "Ce rendez-vous ne s’annule plus en ligne. Appelez le service pour prévenir de votre absence."
        }
        if rights.withinMoveRules, !rights.mayMove {
            page.cannotMove = BookingError.motifUnavailable.french
        } else if rights.mayMove {
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
        page.canWait = rights.mayWait
        return routes.render("manage", page, request, context, status: status)
    }

    /// Someone whose appointment is more than a week away asks to be told of an earlier slot.
    private func joinWaitingList(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try await context.database.transaction { try await changes($0, context).waitForEarlier(rdv) }
        return try await page(rdv, check: check, request, context, notice: "Vous êtes sur la liste d’attente : si un créneau plus tôt se libère, nous vous l’écrirons.")
    }

    private func cancel(_ rdv: PublicRdv, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let updated = try await context.database.transaction { connection in
            try await changes(connection, context).cancel(rdv)
            return try await PublicRdvRepository(connection).find(rdv.id)
        }
        return try await page(updated ?? rdv, check: check, request, context, notice: "Votre rendez-vous est annulé. Merci d’avoir prévenu : le créneau peut servir à quelqu’un d’autre.")
    }

    private func move(_ rdv: PublicRdv, to debut: String?, check: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let seconds = Double(debut ?? "") else { throw PublicError(.badRequest, title: "Créneau manquant", detail: "Choisissez un nouveau créneau.") }
        let start = Date(timeIntervalSince1970: seconds)
        let updated = try await context.database.transaction { connection in
            try await changes(connection, context).move(rdv, to: start)
            return try await PublicRdvRepository(connection).find(rdv.id)
        }
        return try await page(updated ?? rdv, check: check, request, context, notice: "Votre rendez-vous est déplacé au \(FrenchDates.when(start, context.tenant.clock)).")
    }

    private func changes(_ connection: TenantConnection, _ context: TenantRequestContext) -> OnlineChanges {
        OnlineChanges(connection, tenant: context.tenant, links: routes.services.noticeLinks(context.tenant))
    }

    /// The appointment as an `.ics` file.
    func calendarFile(_ rdvID: UUID, _ context: TenantRequestContext) async throws -> Response {
        let found = try await context.database.transaction { connection -> (PublicRdv, MotifRules, Int)? in
            guard let rdv = try await PublicRdvRepository(connection).find(rdvID), let rules = try await MotifRepository(connection).find(rdv.motifID)?.rules else { return nil }
            return (rdv, rules, try await AppointmentSequences(connection).of(rdvID))
        }
        guard let (rdv, rules, sequence) = found else { throw PublicError.pageNotFound }
        let event = CalendarEvent(
            uid: CalendarEvent.appointmentUID(rdv.id, tenantSlug: context.tenant.slug), sequence: sequence, start: rdv.start, end: rdv.end,
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
