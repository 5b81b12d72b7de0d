import Foundation
import Tenancy

/// An organisation's receiver of signed events.
public struct WebhookEndpoint: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let organisationID: UUID
    public let organisationName: String
    public let url: String
    public let description: String
    public let models: [WebhookModel]
    public let enabled: Bool
    /// Why the platform stopped posting (a 410 from the receiver), or nil.
    public let disabledReason: String?
    /// While set and to come, the former secret still signs.
    public let previousSecretUntil: Date?
    public let createdAt: Date
}

/// What an administrator fills in to create or change an endpoint.
public struct WebhookEndpointDraft: Sendable, Hashable {
    public var organisationID: UUID
    public var url: String
    public var description: String
    public var models: [WebhookModel]
    public var enabled: Bool

    public init(organisationID: UUID, url: String, description: String, models: [WebhookModel], enabled: Bool = true) {
        self.organisationID = organisationID
        self.url = url
        self.description = description
        self.models = models
        self.enabled = enabled
    }
}

/// Refusals of the webhook use cases.
public enum WebhookError: DomainError, Hashable {
    case notFound
    case forbidden
    case noModel
    case unknownOrganisation
    case descriptionTooLong
    case target(WebhookTargetRefusal)

    public var refusal: Refusal {
        switch self {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .noModel, .unknownOrganisation, .descriptionTooLong, .target: .invalid
        }
    }

    public var title: String {
        switch self {
        case .notFound: "Webhook introuvable"
        case .forbidden: "Accès refusé"
        default: "Webhook incomplet"
        }
    }

    public var french: String {
        switch self {
        case .notFound: "Ce webhook n’existe pas ou plus."
        case .forbidden: "Seuls les administrateurs du département gèrent les webhooks."
        case .noModel: "Choisissez au moins un type d’objet à envoyer."
        case .unknownOrganisation: "Choisissez l’organisation du webhook."
        case .descriptionTooLong: "La description compte au plus 200 caractères."
        case .target(let refusal): refusal.french
        }
    }
}
