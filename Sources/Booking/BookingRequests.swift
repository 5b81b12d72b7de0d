import Agenda
import Foundation
import Notifications
import Scheduling
import Tenancy

/// Why an online booking request is refused before any code is sent.
public enum BookingRequestError: DomainError, Equatable {
    /// The code would go by SMS, which this département does not send.
    case smsUnavailable
    /// Too many requests from this connection or for these contact details in the last hour.
    case tooManyRequests

    public var refusal: Refusal {
        switch self {
        case .smsUnavailable: .invalid
        case .tooManyRequests: .tooManyRequests
        }
    }

    public var title: String {
        switch self {
        case .smsUnavailable: "SMS indisponible"
        case .tooManyRequests: "Trop de demandes"
        }
    }

    public var french: String {
        switch self {
        case .smsUnavailable: "Ce département n’envoie pas de SMS : indiquez une adresse électronique pour recevoir le code."
        case .tooManyRequests:
            "Trop de demandes de rendez-vous ont été faites depuis cette connexion ou pour ces coordonnées. Réessayez dans une heure, ou appelez le service."
        }
    }
}

/// An online booking request, before its confirmation code: the limits per connection and per
/// contact, the request itself and the message carrying the code, in the caller's transaction.
public struct BookingRequests: Sendable {
    let connection: TenantConnection
    let tenant: Tenant
    let links: NoticeLinks

    public init(_ connection: TenantConnection, tenant: Tenant, links: NoticeLinks) {
        self.connection = connection
        self.tenant = tenant
        self.links = links
    }

    /// Records the request for the slot and sends its code to `confirmation` (an email address,
    /// or a phone number for an SMS). A signed-in usager (`accountID`) receives no code: the
    /// caller confirms at once. Returns the request's token and code.
    public func request(
        motifID: UUID, lieuID: UUID, start: Date, details: BookingDetails, address: BookingAddress?, accountID: UUID?,
        confirmation: String, remoteAddress: String?
    ) async throws -> (token: String, code: String) {
        let bySMS = !confirmation.contains("@")
        if bySMS, !(try await NotificationSettings.load(connection).smsEnabled) { throw BookingRequestError.smsUnavailable }
        let limits: [(key: String, limit: Int)] = [
            ("ip|\(remoteAddress ?? "?")", BookingLimits.perAddress), ("email|\(confirmation.lowercased())", BookingLimits.perContact),
        ] + (details.phone.map { [("phone|\($0)", BookingLimits.perContact)] } ?? [])
        guard try await BookingLimits(connection).allow(limits) else { throw BookingRequestError.tooManyRequests }
        let created = try await BookingRequestRepository(connection).create(
            motifID: motifID, lieuID: lieuID, start: start, details: details, address: address, accountID: accountID, channel: bySMS ? "sms" : "email"
        )
        guard accountID == nil else { return created }
        let messages = MessageQueue(connection)
        if bySMS {
            try await messages.enqueue(
                .sms, kind: "code", to: confirmation, subject: "",
                body: SMSText.plain("\(tenant.name) : votre code \(created.code) confirme le RDV du \(FrenchDates.short(start, tenant.clock)). Valable 30 min."),
                expires: Date().addingTimeInterval(BookingRequestRepository.lifetime)
            )
        } else {
            let link = links.publicURL + "/prendre-rdv/confirmation/\(created.token)?code=\(created.code)"
            try await messages.enqueueEmail(
                to: confirmation, subject: "Votre code de confirmation : \(created.code)",
                body: """
                Bonjour,

                Pour confirmer votre rendez-vous du \(FrenchDates.when(start, tenant.clock)), saisissez ce code sur la page de réservation : \(created.code)

                Vous pouvez aussi ouvrir ce lien : \(link)

                Le code est valable 30 minutes. Si vous n’avez rien demandé, ignorez ce message : aucun rendez-vous ne sera pris.
                """, kind: "code"
            )
        }
        return created
    }
}
