import Agenda
import Booking
import Foundation
import Hummingbird
import Notifications
import Tenancy

/// The two links of a confirmation request, "Je confirme" (`/oui/…`) and "Je ne pourrai pas
/// venir" (`/non/…`), opened from a phone without signing in. Opening a link shows the
/// appointment and one button; only the button acts, so that a mail scanner following links
/// never confirms nor cancels anything. The page says no more than the message did.
struct ConfirmationRoutes: Sendable {
    let routes: BookingRoutes

    func register(on router: Router<TenantRequestContext>) {
        for answer in [NoticeLinks.Answer.confirm, .decline] {
            let path = RouterPath("/\(answer.rawValue)/:token")
            router.get(path) { request, context in
                let rdvID = try linked(answer, context)
                return try await page(answer, rdvID, outcome: nil, request, context)
            }
            router.post(path) { request, context in
                _ = try await routes.forms.verifiedFields(of: request, sessionToken: context.usagerSessionToken)
                let rdvID = try linked(answer, context)
                let tenant = context.tenant, links = routes.services.noticeLinks(tenant)
                let outcome = try await context.database.transaction { connection in
                    try await Confirmations(connection, tenant: tenant, links: links).answer(answer, rdvID: rdvID)
                }
                return try await page(answer, rdvID, outcome: outcome, request, context)
            }
        }
    }

    /// The appointment a genuine, unexpired link of this département names; 404 otherwise.
    private func linked(_ answer: NoticeLinks.Answer, _ context: TenantRequestContext) throws -> UUID {
        let signer = NoticeLinks.answer(answer, secret: routes.services.configuration.secretKey, scope: context.tenant.schemaName)
        guard let claims = signer.claims(of: context.parameters.get("token") ?? "") else {
            throw PublicError(.notFound, title: "Lien inconnu ou expiré", detail: "Ce lien n’est pas ou plus valable. Il expire à l’heure du rendez-vous.")
        }
        return claims.rdvID
    }

    private func page(
        _ answer: NoticeLinks.Answer, _ rdvID: UUID, outcome: Confirmations.Outcome?, _ request: Request, _ context: TenantRequestContext
    ) async throws -> Response {
        let tenant = context.tenant, links = routes.services.noticeLinks(tenant)
        let found = try await context.database.transaction { connection -> (PublicRdv, ConfirmationState?, MotifRules)? in
            guard let (rdv, state) = try await Confirmations(connection, tenant: tenant, links: links).appointment(rdvID),
                  let rules = try await MotifRepository(connection).find(rdv.motifID)?.rules else { return nil }
            return (rdv, state, rules)
        }
        guard let (rdv, state, rules) = found else { throw PublicError.pageNotFound }
        let when = FrenchDates.when(rdv.start, tenant.clock)
        var values: [String: Any] = [
            "pageTitle": "Mon rendez-vous – \(tenant.name)", "when": when,
            "what": rules.sensitive ? "Votre rendez-vous" : "Votre rendez-vous « \(rdv.motifName) »",
            "place": rules.sensitive ? "" : [rdv.lieuName, rdv.lieuAddress].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "),
            "bookAgain": "/prendre-rdv",
        ]
        let open = rdv.status == .unknown && rdv.start > Date()
        switch outcome {
        case .confirmed?:
            values["done"] = "Merci, votre venue est confirmée. À bientôt !"
        case .declined?:
            values["done"] = "Votre rendez-vous est annulé. Merci d’avoir prévenu : le créneau est proposé à une autre personne."
            values["offerBooking"] = true
        case .closed?, nil:
            if !open {
                values["closed"] = rdv.status.holdsTime
                    ? "Ce rendez-vous a déjà commencé ou est passé : il n’y a plus rien à répondre."
                    : "Ce rendez-vous est annulé : il n’y a plus rien à répondre."
                values["offerBooking"] = !rdv.status.holdsTime
                if let outcome, case .closed = outcome { return routes.render("confirmation_answer", values, request, context, status: .conflict) }
            } else if answer == .confirm {
                values["ask"] = state == .confirmed ? "Vous avez déjà confirmé votre venue. Vous pouvez le redire :" : "Vous viendrez ? Confirmez-le en un clic."
                values["button"] = "Je confirme ma venue"
            } else {
                values["ask"] = "Vous ne pourrez pas venir ? Annulez en un clic : le créneau sera proposé à une autre personne."
                values["button"] = "Je ne pourrai pas venir, j’annule"
                values["danger"] = true
            }
        }
        return routes.render("confirmation_answer", values, request, context)
    }
}
