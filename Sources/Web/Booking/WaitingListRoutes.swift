import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Tenancy

/// The waiting list's pages: joining it when no slot is free (or from a far appointment),
/// taking an offered slot, leaving the list.
struct WaitingListRoutes: Sendable {
    let routes: BookingRoutes

    func register(on router: Router<TenantRequestContext>) {
        router.post("/liste-attente") { request, context in
            let fields = try await routes.forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            return try await join(fields, request, context)
        }
        router.get("/liste-attente/offre/:token") { request, context in
            let (_, offer) = try await offer(context)
            return try await offerPage(offer, request, context)
        }
        router.post("/liste-attente/offre/:token") { request, context in
            _ = try await routes.forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            let (token, offer) = try await offer(context)
            return try await take(offer, token: token, request, context)
        }
        router.post("/liste-attente/retrait/:token") { request, context in
            _ = try await routes.forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            let token = context.parameters.get("token") ?? ""
            let tenant = context.tenant
            let removed = try await context.database.transaction { try await WaitingList($0, tenant: tenant).remove(token: token) }
            guard removed else { throw PublicError.pageNotFound }
            return routes.render("booking_message", ["heading": "Vous n’êtes plus sur la liste d’attente", "message": "Vous ne recevrez plus de proposition de créneau."], request, context)
        }
    }

    private func join(_ fields: [String: String], _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let flow = BookingFlow(query: fields)
        guard let motifID = flow.motifID else { throw PublicError(.badRequest, title: "Motif manquant", detail: "Choisissez d’abord un motif.") }
        if !(fields["site_web"] ?? "").isEmpty { return waitingPage(request, context) }
        let (details, email, errors) = BookingForm.details(from: fields)
        guard let details, let email else {
            return routes.render("booking_message", [
                "heading": "Liste d’attente", "message": errors.map(\.1).joined(separator: " "), "restart": flow.url(),
            ], request, context, status: .unprocessableContent)
        }
        let tenant = context.tenant, publicURL = routes.services.configuration.publicURL(slug: tenant.slug)
        do {
            _ = try await context.database.transaction { connection in
                try await WaitingList(connection, tenant: tenant).join(
                    motifID: motifID, lieuID: flow.lieuID, details: details, email: email, address: flow.address,
                    remoteAddress: context.remoteAddress, publicURL: publicURL
                )
            }
        } catch WaitingListError.unknownChoice {
            throw PublicError.pageNotFound
        } catch WaitingListError.tooManyRequests {
            let refusal = WaitingListError.tooManyRequests
            return routes.render("booking_message", ["heading": refusal.title, "message": refusal.french], request, context, status: .tooManyRequests)
        }
        return waitingPage(request, context)
    }

    private func waitingPage(_ request: Request, _ context: TenantRequestContext) -> Response {
        routes.render("booking_message", [
            "heading": "Vous êtes sur la liste d’attente",
            "message": "Dès qu’un créneau se libère, nous vous écrivons en journée. Le premier qui le prend l’obtient : répondez vite.",
        ], request, context)
    }

    private func offer(_ context: TenantRequestContext) async throws -> (String, WaitingOffer) {
        let token = context.parameters.get("token") ?? ""
        let tenant = context.tenant
        guard let offer = try await context.database.transaction({ try await WaitingList($0, tenant: tenant).offer(token: token) }) else {
            throw PublicError(.notFound, title: "Proposition inconnue", detail: "Ce lien de la liste d’attente n’est pas ou plus valable.")
        }
        return (token, offer)
    }

    private func offerPage(_ offer: WaitingOffer, _ request: Request, _ context: TenantRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let clock = context.tenant.clock
        let (motif, lieu) = try await context.database.transaction { connection in
            (try await MotifRepository(connection).find(offer.motifID)?.rules, try await AgendaCatalog(connection).lieux().first { $0.id == offer.lieuID })
        }
        var values: [String: Any] = [
            "pageTitle": "Un créneau s’est libéré – \(context.tenant.name)", "when": FrenchDates.when(offer.start, clock),
            "motifName": motif?.name ?? "", "lieuName": lieu?.name ?? "", "lieuAddress": lieu?.address ?? "",
            "available": offer.takenRDV == nil && offer.active && offer.expiresAt > Date(), "later": offer.laterRDV != nil,
            "token": context.parameters.get("token") ?? "",
        ]
        if let error { values["errors"] = [error] }
        return routes.render("waiting_offer", values, request, context, status: status)
    }

    private func take(_ offer: WaitingOffer, token: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let tenant = context.tenant
        let links = routes.services.noticeLinks(tenant)
        do {
            let rdvID = try await context.database.transaction { connection in
                try await Cancellations(connection, tenant: tenant, links: links).takeOffer(offer)
            }
            let manage = try await ManageRoutes(routes: routes).link(rdvID, context)
            return routes.render("booking_message", [
                "heading": "Le créneau est à vous", "message": "Votre rendez-vous du \(FrenchDates.when(offer.start, tenant.clock)) est confirmé. Une confirmation vous est envoyée.",
                "link": manage, "linkLabel": "Voir ou gérer ce rendez-vous",
            ], request, context)
        } catch let error as BookingError {
            let message = error == .slotTaken ? "Ce créneau a déjà été pris par une autre personne. Vous restez sur la liste d’attente." : error.french
            let offer = (try? await self.offer(context).1) ?? offer
            return try await offerPage(offer, request, context, error: message, status: error.status)
        }
    }
}
