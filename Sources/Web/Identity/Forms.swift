import Foundation
import Hummingbird
import Identity

/// Reading HTML forms: the body as a dictionary, and the CSRF check every state change needs.
struct Forms: Sendable {
    let services: IdentityServices

    static let maximumBody = 64 * 1024

    /// Fields of an `application/x-www-form-urlencoded` body.
    func fields(of request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBody)
        } catch {
            throw PublicError(.contentTooLarge, title: "Envoi trop volumineux", detail: "Le formulaire envoyé dépasse la taille permise.")
        }
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        // PostgreSQL stores no NUL character in text: such a form is refused whole.
        guard !fields.contains(where: { $0.key.contains("\u{0}") || $0.value.contains("\u{0}") }) else { throw PublicError.nulCharacter }
        return fields
    }

    /// The value that ties a form to its browser: the session once signed in, else the form cookie.
    func binding(_ request: Request, sessionToken: String?) -> String? {
        sessionToken ?? request.cookies[services.formCookieName]?.value
    }

    /// Fields of a form whose CSRF token is valid; a 403 page otherwise.
    func verifiedFields(of request: Request, sessionToken: String?) async throws -> [String: String] {
        let fields = try await fields(of: request)
        guard let binding = binding(request, sessionToken: sessionToken),
              services.csrf.isValid(fields["csrf"], binding: binding)
        else {
            throw PublicError(
                .forbidden, title: "Formulaire expiré",
                detail: "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez."
            )
        }
        return fields
    }

    /// CSRF token for a page's forms, with the form cookie to set when the browser has none yet.
    func token(for request: Request, sessionToken: String?) -> (token: String, cookie: Cookie?) {
        if let binding = binding(request, sessionToken: sessionToken), !binding.isEmpty {
            return (services.csrf.token(binding: binding), nil)
        }
        let fresh = SecretToken.generate().value
        return (services.csrf.token(binding: fresh), services.cookie(services.formCookieName, value: fresh))
    }
}

/// A 303 to a path of the same site.
func redirect(to path: String, cookies: [Cookie] = []) -> Response {
    var response = Response(status: .seeOther, headers: [.location: path])
    for cookie in cookies { response.setCookie(cookie) }
    return response
}

/// `path` when it is a path of this site, `fallback` otherwise (no open redirect).
func localPath(_ path: String?, fallback: String = "/agent") -> String {
    guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\") else { return fallback }
    return path
}
