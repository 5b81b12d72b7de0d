import Hummingbird
import PostgresNIO
import Tenancy

/// An error whose words are meant for the person who made the request, in French.
/// The error middleware renders it as an HTML page or as RFC 9457 problem+json.
public struct PublicError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    public var headers: HTTPFields
    /// A short stable name for programs, in problem+json (`not_found`, `nul_character`…).
    public var code: String

    public init(_ status: HTTPResponse.Status, title: String, detail: String, headers: HTTPFields = [:], code: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
        self.code = code ?? Self.code(of: status)
    }

    static func code(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "too_large"
        case 422: "invalid"
        case 429: "rate_limited"
        case 503: "unavailable"
        case 500...: "internal"
        default: "refused"
        }
    }

    public static let pageNotFound = PublicError(
        .notFound, title: "Page introuvable",
        detail: "Cette page n’existe pas ou n’existe plus. Vérifiez l’adresse saisie."
    )

    public static let unknownHost = PublicError(
        .notFound, title: "Adresse inconnue",
        detail: "Cette adresse ne correspond à aucun service de prise de rendez-vous de la plateforme."
    )

    public static let suspended = PublicError(
        .serviceUnavailable, title: "Service momentanément indisponible",
        detail: "La prise de rendez-vous en ligne de ce département est momentanément suspendue : aucun rendez-vous ne peut être pris, modifié ni annulé ici pour l’instant. Vos rendez-vous sont conservés. Merci de contacter directement votre service.",
        headers: [.retryAfter: "3600"]
    )

    public static let opening = PublicError(
        .serviceUnavailable, title: "Ouverture en cours",
        detail: "Le service de prise de rendez-vous de ce département est en cours d’ouverture. Merci de revenir un peu plus tard.",
        headers: [.retryAfter: "300"]
    )

    /// PostgreSQL cannot be reached, or is changing primary: nothing was done, try again shortly.
    public static let databaseUnavailable = PublicError(
        .serviceUnavailable, title: "Service momentanément indisponible",
        detail: "Le service ne peut pas joindre sa base de données pour l’instant : rien n’a été enregistré. Merci de réessayer dans quelques instants.",
        headers: [.retryAfter: "10"]
    )

    public static let nulCharacter = PublicError(
        .badRequest, title: "Caractère refusé",
        detail: "La requête contient un caractère nul, qu’aucun champ n’accepte. Retapez le texte sans le copier-coller depuis un autre logiciel.",
        code: "nul_character"
    )

    /// The database refused a value the form's own checks let through (a limit counted in
    /// another unit, a date out of its range): nothing was written, the person can correct it.
    public static let valueRefused = PublicError(
        .unprocessableContent, title: "Valeur refusée",
        detail: "Un des champs dépasse la longueur ou les limites permises ; rien n’a été enregistré. Raccourcissez le texte saisi ou corrigez la valeur, puis réessayez.",
        code: "value_refused"
    )

    /// `valueRefused` for a database refusal of a value (a CHECK, a too long or unreadable
    /// text, a number or date out of range); nil for any other error, which stays a bug.
    static func refusedValue(_ error: any Error) -> PublicError? {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return nil }
        return ["23514", "22001", "22003", "22007", "22008", "22021", "22P05"].contains(state) ? .valueRefused : nil
    }

    public static let internalError = PublicError(
        .internalServerError, title: "Erreur du service",
        detail: "Une erreur inattendue s’est produite. Elle a été enregistrée ; merci de réessayer dans quelques instants."
    )

    /// French words for a framework error (unknown route, body too large…).
    static func from(_ error: HTTPError) -> PublicError {
        switch error.status {
        case .notFound: return .pageNotFound
        case .methodNotAllowed:
            return PublicError(.methodNotAllowed, title: "Méthode non permise", detail: "Cette adresse n’accepte pas cette méthode HTTP.", headers: error.headers)
        case .contentTooLarge:
            return PublicError(.contentTooLarge, title: "Envoi trop volumineux", detail: "Les données envoyées dépassent la taille permise.")
        case .badRequest:
            return PublicError(.badRequest, title: "Requête invalide", detail: "La requête n’a pas pu être comprise.")
        default:
            let title = error.status.code < 500 ? "Requête refusée" : "Erreur du service"
            return PublicError(error.status, title: title, detail: error.status.reasonPhrase, headers: error.headers)
        }
    }
}

extension Refusal {
    /// The one mapping from a feature's refusal to HTTP.
    var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .conflict: .conflict
        case .invalid: .unprocessableContent
        case .forbidden: .forbidden
        case .tooManyRequests: .tooManyRequests
        case .gone: .gone
        }
    }
}

extension DomainError {
    var status: HTTPResponse.Status { refusal.status }
}

extension PublicError {
    /// A feature's error as the page or problem the person receives.
    init(_ error: any DomainError) {
        self.init(error.refusal.status, title: error.title, detail: error.french)
    }
}
