import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Scheduling
import Tenancy

/// The end of the booking flow: the details sent, the code that confirms them, the appointment
/// booked (or the nearest other slots when it was just taken), the confirmation page.
struct BookingRequestRoutes: Sendable {
    let routes: BookingRoutes
    var forms: Forms { routes.forms }

    func register(on router: Router<TenantRequestContext>) {
        router.post("/prendre-rdv") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            return try await submit(fields, request, context)
        }
        router.get("/prendre-rdv/confirmation/:token") { request, context in
            let (token, pending) = try await pendingRequest(context)
            if pending.rdvID != nil { return redirect(to: "/prendre-rdv/confirme/\(token)") }
            return codePage(token, code: request.uri.queryParameters["code"].map(String.init) ?? "", bySMS: Self.bySMS(pending), request, context)
        }
        router.post("/prendre-rdv/confirmation/:token") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            let (token, pending) = try await pendingRequest(context)
            if pending.rdvID != nil { return redirect(to: "/prendre-rdv/confirme/\(token)") }
            let tenant = context.tenant, links = routes.services.noticeLinks(context.tenant), code = fields["code"] ?? ""
            let check = try await context.database.transaction {
                try await BookingRequests($0, tenant: tenant, links: links).check(pending, token: token, code: code)
            }
            switch check {
            case .right: return try await book(pending, token: token, start: nil, request, context)
            case .exhausted: return tooManyAttempts(request, context)
            case .wrong(let left):
                return codePage(token, code: "", bySMS: Self.bySMS(pending), request, context, error: "Ce code ne correspond pas. Il vous reste \(left) essai\(left > 1 ? "s" : "").", status: .unprocessableContent)
            }
        }
        router.post("/prendre-rdv/confirmation/:token/creneau") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
            let (token, pending) = try await pendingRequest(context)
            if pending.rdvID != nil { return redirect(to: "/prendre-rdv/confirme/\(token)") }
            guard let seconds = Double(fields["debut"] ?? "") else { return redirect(to: "/prendre-rdv/confirmation/\(token)") }
            do {
                return try await book(pending, token: token, start: Date(timeIntervalSince1970: seconds), request, context)
            } catch BookingRequestError.codeNeeded {
                return redirect(to: "/prendre-rdv/confirmation/\(token)")
            }
        }
        router.get("/prendre-rdv/confirme/:token") { request, context in
            let (token, booked) = try await bookedRequest(context)
            return try await confirmationPage(token, booked, request, context)
        }
        router.get("/prendre-rdv/confirme/:token/rendez-vous.ics") { request, context in
            let (_, booked) = try await bookedRequest(context)
            guard let rdvID = booked.rdvID else { throw PublicError.pageNotFound }
            return try await ManageRoutes(routes: routes).calendarFile(rdvID, context)
        }
    }

    private func submit(_ fields: [String: String], _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let flow = BookingFlow(query: fields).with { $0.week = nil }
        let chosen = try await routes.chosenSlot(flow, context)
        // A filled honeypot is a robot: it gets the same next page, and nothing is sent.
        if !(fields["site_web"] ?? "").isEmpty { return redirect(to: "/prendre-rdv/confirmation/\(SecretToken.generate().value)") }
        guard try await routes.isFree(chosen, address: flow.address, context) else { return try await routes.takenPage(flow, chosen, request, context) }
        let (details, confirmation, errors) = BookingForm.details(from: fields)
        guard let details, let confirmation else {
            let values = try await routes.detailsValues(flow, chosen, context, form: fields, errors: errors)
            return routes.render("booking_details", values, request, context, status: .unprocessableContent)
        }
        let tenant = context.tenant
        let account = context.usager
        let links = routes.services.noticeLinks(tenant)
        let outcome: (token: String, code: String)
        do {
            outcome = try await context.database.transaction { connection in
                try await BookingRequests(connection, tenant: tenant, links: links).request(
                    motifID: chosen.motif.id, lieuID: chosen.lieu.id, start: chosen.start, details: details, address: flow.address,
                    accountID: account?.id, confirmation: confirmation, remoteAddress: context.remoteAddress
                )
            }
        } catch BookingRequestError.smsUnavailable {
            let values = try await routes.detailsValues(flow, chosen, context, form: fields, errors: [("email", BookingRequestError.smsUnavailable.french)])
            return routes.render("booking_details", values, request, context, status: .unprocessableContent)
        } catch BookingRequestError.tooManyRequests {
            return routes.render("booking_message", [
                "heading": BookingRequestError.tooManyRequests.title, "message": BookingRequestError.tooManyRequests.french,
            ], request, context, status: .tooManyRequests)
        }
        guard account != nil else { return redirect(to: "/prendre-rdv/confirmation/\(outcome.token)") }
        // A signed-in usager proved who they are: the appointment is booked at once.
        let pending = try await context.database.transaction {
            try await BookingRequests($0, tenant: tenant, links: links).confirmForAccount(token: outcome.token, code: outcome.code)
        }
        guard let pending else { throw PublicError.pageNotFound }
        return try await book(pending, token: outcome.token, start: nil, request, context)
    }

    /// Books the request at `start`; the nearest other slots when that one was just taken.
    /// Books the request at its own slot (`start` nil) or at another one it picked after its own was taken.
    private func book(_ pending: BookingRequest, token: String, start: Date?, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let tenant = context.tenant
        let links = routes.services.noticeLinks(tenant)
        do {
            try await context.database.transaction { connection in
                let requests = BookingRequests(connection, tenant: tenant, links: links)
                if let start { _ = try await requests.bookAnother(pending, at: start) } else { _ = try await requests.book(pending) }
            }
        } catch BookingError.slotTaken {
            // Only reached once the code was given (or for a signed-in usager): another slot needs no new code.
            return try await takenPage(pending, token: token, start: start ?? pending.start, request, context)
        } catch let error as BookingError {
            return routes.render("booking_message", ["heading": "Rendez-vous impossible", "message": error.french], request, context, status: error.status)
        }
        return redirect(to: "/prendre-rdv/confirme/\(token)")
    }

    private func takenPage(_ pending: BookingRequest, token: String, start: Date, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let clock = context.tenant.clock
        let motif = try await context.database.transaction { try await OnlineOffer($0).motif(pending.motifID, for: pending.address) }
        let nearest = try await motif.asyncMap {
            try await routes.nearestSlots(to: start, motif: $0, lieuID: pending.lieuID, address: pending.address, context)
        } ?? []
        return routes.render("booking_taken", [
            "when": FrenchDates.when(start, clock), "token": token, "canPick": true,
            "slots": nearest.map { ["label": FrenchDates.when($0, clock), "debut": String(Int($0.timeIntervalSince1970))] },
            "restart": "/prendre-rdv",
        ], request, context, status: .conflict)
    }

    /// The code of a request without any email went by SMS.
    static func bySMS(_ pending: BookingRequest) -> Bool {
        pending.details.email == nil && !(pending.details.prescripteur.map { UsagerRecordRoutes.looksLikeEmail($0.contact) } ?? false)
    }

    private func codePage(
        _ token: String, code: String, bySMS: Bool, _ request: Request, _ context: TenantRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values: [String: Any] = ["token": token, "code": String(code.filter(\.isNumber).prefix(6)), "bySMS": bySMS]
        if let error { values["errors"] = [error] }
        values["pageTitle"] = "Confirmer le rendez-vous – \(context.tenant.name)"
        return routes.render("booking_code", values, request, context, status: status)
    }

    private func tooManyAttempts(_ request: Request, _ context: TenantRequestContext) -> Response {
        routes.render("booking_message", [
            "heading": "Trop d’essais", "message": "Le code a été mal saisi trop de fois. Recommencez la prise de rendez-vous pour recevoir un nouveau code.",
            "restart": "/prendre-rdv",
        ], request, context, status: .tooManyRequests)
    }

    /// A request whose link is still valid (or already booked); 404 for any other token.
    private func pendingRequest(_ context: TenantRequestContext) async throws -> (String, BookingRequest) {
        let token = context.parameters.get("token") ?? ""
        let found = try await context.database.transaction { try await BookingRequestRepository($0).find(token: token) }
        guard let found else {
            throw PublicError(.notFound, title: "Lien inconnu ou expiré", detail: "Ce lien de confirmation n’est pas ou plus valable. Recommencez la prise de rendez-vous.")
        }
        if found.rdvID == nil, found.expiresAt < Date() {
            throw PublicError(.gone, title: "Code expiré", detail: "Le code de confirmation a expiré au bout de 30 minutes. Recommencez la prise de rendez-vous.")
        }
        return (token, found)
    }

    private func bookedRequest(_ context: TenantRequestContext) async throws -> (String, BookingRequest) {
        let (token, found) = try await pendingRequest(context)
        guard found.rdvID != nil else { throw PublicError.pageNotFound }
        return (token, found)
    }

    private func confirmationPage(_ token: String, _ booked: BookingRequest, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let rdvID = booked.rdvID else { throw PublicError.pageNotFound }
        let manage = ManageRoutes(routes: routes)
        guard let view = try await manage.view(rdvID, context) else { throw PublicError.pageNotFound }
        let page = BookedPage(
            appointment: view.summary, pageTitle: "Rendez-vous confirmé – \(context.tenant.name)",
            icsLink: "/prendre-rdv/confirme/\(token)/rendez-vous.ics", manageLink: try await manage.link(rdvID, context),
            sentTo: booked.details.email ?? booked.details.prescripteur?.contact ?? ""
        )
        return routes.render("booking_done", page, request, context)
    }
}
