import Agenda
import Foundation
import Notifications
import Tenancy

/// Why joining the waiting list is refused.
public enum WaitingListError: DomainError, Equatable {
    /// The motif is not offered online to this address, or the lieu is not one of the département's.
    case unknownChoice
    /// Too many joins from this connection or for this email in the last hour.
    case tooManyRequests

    public var refusal: Refusal {
        switch self {
        case .unknownChoice: .notFound
        case .tooManyRequests: .tooManyRequests
        }
    }

    public var title: String {
        switch self {
        case .unknownChoice: "Choix inconnu"
        case .tooManyRequests: "Trop de demandes"
        }
    }

    public var french: String {
        switch self {
        case .unknownChoice: "Ce motif ou ce lieu n’est pas proposé ici. Recommencez la prise de rendez-vous."
        case .tooManyRequests: "Trop de demandes ont été faites pour ces coordonnées. Réessayez dans une heure."
        }
    }
}

extension WaitingList {
    /// Someone joins the list from the booking pages when no slot suits them: the motif must be
    /// offered online to their address and the lieu (if any) be one of the département's; joins
    /// are limited per connection and per email like booking requests; they receive an email
    /// with the link that takes them off the list. Returns that link's token.
    public func join(
        motifID: UUID, lieuID: UUID?, details: BookingDetails, email: String, address: BookingAddress?, remoteAddress: String?, publicURL: String
    ) async throws -> String {
        guard try await OnlineOffer(connection).motif(motifID, for: address) != nil else { throw WaitingListError.unknownChoice }
        // The lieu comes from the form: only one of this département counts.
        if let lieuID, !(try await AgendaCatalog(connection).lieux().contains { $0.id == lieuID }) { throw WaitingListError.unknownChoice }
        let limits = [("ip|\(remoteAddress ?? "?")", BookingLimits.perAddress), ("email|\(email.lowercased())", BookingLimits.perContact)]
        guard try await BookingLimits(connection).allow(limits) else { throw WaitingListError.tooManyRequests }
        let token = try await add(motifID: motifID, lieuID: lieuID, laterRDV: nil, details: details, address: address)
        try await MessageQueue(connection).enqueueEmail(
            to: email, subject: "Vous êtes sur la liste d’attente",
            body: "Bonjour,\n\nNous vous écrirons dès qu’un créneau se libère, en journée, trois fois au plus.\n\nPour ne plus être prévenu : \(publicURL)/liste-attente/retrait/\(token)"
        )
        return token
    }
}
