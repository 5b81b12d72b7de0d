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
    /// Another slot is only booked once the request's code was given.
    case codeNeeded

    public var refusal: Refusal {
        switch self {
        case .smsUnavailable, .codeNeeded: .invalid
        case .tooManyRequests: .tooManyRequests
        }
    }

    public var title: String {
        switch self {
        case .smsUnavailable: "SMS indisponible"
        case .tooManyRequests: "Trop de demandes"
        case .codeNeeded: "Code de confirmation attendu"
        }
    }

    public var french: String {
        switch self {
        case .smsUnavailable: "Ce département n’envoie pas de SMS : indiquez une adresse électronique pour recevoir le code."
        case .tooManyRequests:
            "Trop de demandes de rendez-vous ont été faites depuis cette connexion ou pour ces coordonnées. Réessayez dans une heure, ou appelez le service."
        case .codeNeeded: "Saisissez d’abord le code de confirmation reçu : le rendez-vous sera pris ensuite."
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

    /// What a code typed for a request did.
    public enum CodeCheck: Sendable, Equatable {
        case right
        case wrong(attemptsLeft: Int)
        /// Too many wrong codes: the request is spent, booking starts again.
        case exhausted
    }

    /// Checks the code typed for `pending`, each wrong one counted.
    public func check(_ pending: BookingRequest, token: String, code: String) async throws -> CodeCheck {
        let maximum = BookingRequestRepository.maximumAttempts
        guard pending.failedAttempts < maximum else { return .exhausted }
        guard try await !BookingRequestRepository(connection).check(token: token, code: String(code.prefix(20)), request: pending) else { return .right }
        let left = maximum - pending.failedAttempts - 1
        return left > 0 ? .wrong(attemptsLeft: left) : .exhausted
    }

    /// A signed-in usager proved who they are: their request is confirmed without a code typed.
    /// Returns the request, ready to book.
    public func confirmForAccount(token: String, code: String) async throws -> BookingRequest? {
        let repository = BookingRequestRepository(connection)
        guard let pending = try await repository.find(token: token), pending.accountID != nil else { return nil }
        _ = try await repository.check(token: token, code: code, request: pending)
        return try await repository.find(token: token)
    }

    /// Books the appointment of a request at its own slot, once its code was given (or its
    /// usager signed in); links the request to it and sends the confirmation.
    public func book(_ pending: BookingRequest) async throws -> UUID {
        try await book(pending, at: pending.start)
    }

    /// Books another slot for a request whose own slot was taken meanwhile: only once its code
    /// was given, and then without asking for a new one.
    public func bookAnother(_ pending: BookingRequest, at start: Date) async throws -> UUID {
        guard pending.codeConfirmed else { throw BookingRequestError.codeNeeded }
        return try await book(pending, at: start)
    }

    private func book(_ pending: BookingRequest, at start: Date) async throws -> UUID {
        let rdvID = try await OnlineBooking(connection, tenant: tenant).book(
            motifID: pending.motifID, lieuID: pending.lieuID, start: start, details: pending.details,
            address: pending.address, accountID: pending.accountID
        )
        try await BookingRequestRepository(connection).attach(pending.id, rdvID: rdvID, start: start)
        try await AppointmentNotices(connection, tenant: tenant, links: links).record(.booked, rdvID: rdvID, byUsager: true)
        return rdvID
    }
}
