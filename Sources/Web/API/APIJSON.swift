import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Scheduling

/// Times as the API writes them: ISO 8601 with the département's offset (`2026-03-02T09:30:00+01:00`).
struct APITime: Sendable {
    let timeZone: TimeZone

    /// The département's zone by its name (Europe/Paris when the name is unknown).
    init(zone: String) {
        self.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "Europe/Paris")!
    }

    /// Written by hand: a Foundation formatter costs more to make than a listing page's worth of
    /// arithmetic, and the API writes several times per resource. Whole seconds, as before.
    func string(_ date: Date) -> String {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down))
        let offset = timeZone.secondsFromGMT(for: date)
        let wall = seconds + offset
        let days = wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
        let day = LocalDate(dayNumber: days), inDay = wall - days * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        var text = "\(day)T\(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))"
        if offset == 0 {
            text += "Z"
        } else {
            let minutes = abs(offset) / 60
            text += "\(offset < 0 ? "-" : "+")\(two(minutes / 60)):\(two(minutes % 60))"
        }
        return text
    }

    /// Any ISO 8601 time with an offset, with or without fractions of a second.
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// JSON answers of the API, each with a strong ETag of its bytes.
enum APIResponse {
    static func json(_ value: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data = encode(value)
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        if headers[.eTag] == nil, status == .ok || status == .created { headers[.eTag] = etag(of: data) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// JSON already encoded (in a transaction, where representations are built).
    static func json(data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.eTag] = etag(of: data)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func encode(_ value: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func etag(of data: Data) -> String {
        "\"" + SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// The representation's ETag, when a client sends `If-None-Match` with it: 304.
    static func conditional(_ request: Request, _ value: Any) -> Response {
        conditional(request, data: encode(value))
    }

    /// The same, for JSON already encoded.
    static func conditional(_ request: Request, data: Data) -> Response {
        let response = json(data: data)
        if let match = request.headers[.ifNoneMatch], let etag = response.headers[.eTag],
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return response
    }

    /// Refuses a write whose `If-Match` names another version than `current`'s.
    static func check(ifMatch request: Request, current: Any) throws {
        guard let match = request.headers[.ifMatch] else { return }
        let etag = etag(of: encode(current))
        let tags = match.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains("*") || tags.contains(etag) else { throw APIProblem.staleWrite }
    }

    static let noContent = Response(status: .noContent)
}

/// A JSON request body read field by field, gathering every error in French before refusing.
struct APIBody {
    let fields: [String: Any]
    let raw: Data
    private(set) var errors: [APIProblem.FieldError] = []

    static let maximumSize = 64 * 1024

    static func read(_ request: Request) async throws -> APIBody {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw APIProblem(.unsupportedMediaType, code: "unsupported_media_type", title: "Format non pris en charge", detail: "Envoyez le corps en JSON (Content-Type: application/json).")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumSize) } catch {
            throw APIProblem(.contentTooLarge, code: "too_large", title: "Corps trop volumineux", detail: "Le corps de la requête dépasse 64 Kio.")
        }
        let data = Data(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIProblem.badRequest("Le corps n’est pas un objet JSON valide.")
        }
        // PostgreSQL stores no NUL character in text: refused here, for every field at once.
        if String(decoding: data, as: UTF8.self).range(of: "\\u0000", options: .caseInsensitive) != nil {
            throw APIProblem.badRequest("Le corps contient un caractère nul (\\u0000), refusé dans tous les champs.")
        }
        return APIBody(fields: object, raw: data)
    }

    private mutating func fail<T>(_ field: String, _ detail: String) -> T? {
        errors.append(.init(field: field, detail: detail))
        return nil
    }

    mutating func uuid(_ name: String, required: Bool = true) -> UUID? {
        guard let value = fields[name], !(value is NSNull) else { return required ? fail(name, "Ce champ est obligatoire (un identifiant).") : nil }
        guard let text = value as? String, let id = UUID(uuidString: text) else { return fail(name, "Attendu : un identifiant (UUID).") }
        return id
    }

    mutating func date(_ name: String, required: Bool = true) -> Date? {
        guard let value = fields[name], !(value is NSNull) else { return required ? fail(name, "Ce champ est obligatoire (une date et heure ISO 8601).") : nil }
        guard let text = value as? String, let date = APITime.parse(text) else {
            return fail(name, "Attendu : une date et heure ISO 8601 avec son décalage, par exemple 2026-03-02T09:30:00+01:00.")
        }
        return date
    }

    mutating func string(_ name: String, required: Bool = true, maximum: Int = 200, allowsEmpty: Bool = false) -> String? {
        guard let value = fields[name], !(value is NSNull) else { return required ? fail(name, "Ce champ est obligatoire.") : nil }
        guard let text = value as? String else { return fail(name, "Attendu : une chaîne de caractères.") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, !allowsEmpty, trimmed.isEmpty { return fail(name, "Ce champ ne peut pas être vide.") }
        guard trimmed.count <= maximum else { return fail(name, "Au plus \(maximum) caractères.") }
        return trimmed
    }

    /// A text field as given, empty when absent or not a string (for checks made elsewhere).
    func text(_ name: String) -> String {
        fields[name] as? String ?? ""
    }

    /// A nested object, read with the same rules; its errors are named `outer.inner`.
    mutating func object(_ name: String) -> APIBody? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let object = value as? [String: Any] else { return fail(name, "Attendu : un objet.") }
        return APIBody(fields: object, raw: Data())
    }

    mutating func absorb(_ inner: APIBody, as name: String) {
        errors += inner.errors.map { .init(field: "\(name).\($0.field)", detail: $0.detail) }
    }

    mutating func require(_ condition: Bool, _ field: String, _ detail: String) {
        if !condition { errors.append(.init(field: field, detail: detail)) }
    }

    /// Refuses the request (422) when any field was wrong.
    func finish() throws {
        guard errors.isEmpty else { throw APIProblem.invalid(errors) }
    }
}
