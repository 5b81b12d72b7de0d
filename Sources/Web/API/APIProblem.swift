import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Tenancy

/// An API refusal as RFC 9457 problem details, in French: a title, a detail, and for a body
/// filled in wrong the field-by-field errors.
struct APIProblem: Error, Sendable {
    struct FieldError: Sendable, Hashable {
        let field: String
        let detail: String
    }

    let status: HTTPResponse.Status
    /// A short stable name (`slot_taken`, `invalid_fields`…), for programs.
    let code: String
    let title: String
    let detail: String
    var errors: [FieldError] = []
    var headers: HTTPFields = [:]
    /// The nearest free slots, for a booking whose slot was just taken.
    var nearestSlots: [[String: String]]?

    init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    static let unauthorized = APIProblem(
        .unauthorized, code: "unauthorized", title: "Authentification requise",
        detail: "Envoyez un jeton d’API valide de ce département dans l’en-tête Authorization: Bearer. Un jeton expiré, révoqué, d’un autre département ou d’un agent désactivé ne vaut rien ici.",
        headers: [.wwwAuthenticate: "Bearer realm=\"api\""]
    )

    static let scope = APIProblem(
        .forbidden, code: "insufficient_scope", title: "Droit du jeton insuffisant",
        detail: "Ce jeton est en lecture seule : créez un jeton avec le droit « écriture » pour modifier des données.",
        headers: [.wwwAuthenticate: "Bearer error=\"insufficient_scope\", scope=\"write\""]
    )

    static func tooManyRequests(retryAfter: Int) -> APIProblem {
        APIProblem(
            .tooManyRequests, code: "rate_limited", title: "Trop de requêtes",
            detail: "Ce jeton a atteint sa limite d’appels pour cette minute. Réessayez dans \(retryAfter) s.",
            headers: [.retryAfter: String(retryAfter)]
        )
    }

    static let notFound = APIProblem(.notFound, code: "not_found", title: "Ressource introuvable", detail: "Cette ressource n’existe pas dans ce département, ou ce jeton ne peut pas la voir.")

    static let staleWrite = APIProblem(
        .preconditionFailed, code: "stale_write", title: "Version périmée",
        detail: "La ressource a changé depuis votre lecture (If-Match ne correspond plus à son ETag). Relisez-la puis recommencez."
    )

    static func invalid(_ errors: [FieldError]) -> APIProblem {
        APIProblem(
            .unprocessableContent, code: "invalid_fields", title: "Données invalides",
            detail: errors.count == 1 ? "Un champ est invalide." : "\(errors.count) champs sont invalides.", errors: errors
        )
    }

    static func badRequest(_ detail: String) -> APIProblem {
        APIProblem(.badRequest, code: "bad_request", title: "Requête invalide", detail: detail)
    }

    /// Any error a handler throws, as the problem the client receives; unexpected ones are
    /// logged (their type only) and answered 500.
    init(_ error: any Error, logger: Logger) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let error as any DomainError:
            self.init(error.status, code: Self.code(of: error), title: error.title, detail: error.french)
        case let error as PublicError:
            self.init(error.status, code: error.code, title: error.title, detail: error.detail, headers: error.headers)
        case let error as HTTPError:
            let known = PublicError.from(error)
            self.init(known.status, code: known.code, title: known.title, detail: known.detail, headers: known.headers)
        case _ where PublicError.refusedValue(error) != nil:
            logger.warning("value refused by the database", metadata: errorMetadata(error))
            let refused = PublicError.valueRefused
            self.init(refused.status, code: refused.code, title: refused.title, detail: refused.detail)
        case let error where error.isDatabaseUnavailable:
            logDatabaseUnavailable(error, logger)
            let known = PublicError.databaseUnavailable
            self.init(known.status, code: known.code, title: known.title, detail: known.detail, headers: known.headers)
        default:
            logger.error("unexpected error", metadata: errorMetadata(error))
            self.init(.internalServerError, code: "internal", title: PublicError.internalError.title, detail: PublicError.internalError.detail)
        }
    }

    /// `BookingError.slotTaken` becomes `slot_taken`.
    static func code(of error: any DomainError) -> String {
        var name = String(describing: error)
        if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]) }
        return name.reduce(into: "") { code, character in
            if character.isUppercase { code += "_" + character.lowercased() } else { code.append(character) }
        }
    }

    func response(_ request: Request) -> Response {
        var body: [String: Any] = [
            "type": "about:blank", "code": code, "title": title, "status": Int(status.code), "detail": detail, "instance": request.uri.path,
        ]
        if !errors.isEmpty { body["errors"] = errors.map { ["field": $0.field, "detail": $0.detail] } }
        if let nearestSlots { body["nearest_slots"] = nearestSlots }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
