import Booking
import Foundation
import Hummingbird

extension Forms {
    /// Fields of a form sent url-encoded or as `multipart/form-data` (a file field's content
    /// becomes its text), once its CSRF token is checked; larger than ordinary forms allow.
    func verifiedUpload(of request: Request, sessionToken: String?, maximumBytes: Int) async throws -> [String: String] {
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = MultipartForm.boundary(in: contentType) else {
            return try await verifiedFields(of: request, sessionToken: sessionToken)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw PublicError(.contentTooLarge, title: "Envoi trop volumineux", detail: "Le fichier envoyé dépasse \(maximumBytes / 1_000_000) Mo.")
        }
        let fields = MultipartForm.fields(of: Array(buffer.readableBytesView), boundary: boundary)
        guard let binding = binding(request, sessionToken: sessionToken), services.csrf.isValid(fields["csrf"], binding: binding) else {
            throw PublicError(
                .forbidden, title: "Formulaire expiré",
                detail: "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez."
            )
        }
        return fields
    }
}

/// The CSV of an import form: the chosen file, else the pasted text; nil when both are empty.
enum UploadedCSV {
    /// What the page says when neither was given.
    static let missing = CSVIssue(line: 1, reason: "Choisissez un fichier CSV ou collez son contenu.")

    static func text(of fields: [String: String]) -> String? {
        let file = fields["file"] ?? ""
        let text = file.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? (fields["csv"] ?? "") : file
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}

/// Reads the parts of a `multipart/form-data` body (RFC 7578) as named texts.
enum MultipartForm {
    static func boundary(in contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    static func fields(of body: [UInt8], boundary: String) -> [String: String] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no line end before it.
        var parts = split(Array("\r\n".utf8) + body, on: delimiter).dropFirst()
        if let last = parts.last, last.starts(with: Array("--".utf8)) { parts = parts.dropLast() }
        var fields: [String: String] = [:]
        for part in parts {
            let separator = Array("\r\n\r\n".utf8)
            guard let headerEnd = firstIndex(of: separator, in: part) else { continue }
            let headers = String(decoding: part[..<headerEnd], as: UTF8.self)
            guard let name = name(inHeaders: headers) else { continue }
            fields[name] = text(of: Array(part[(headerEnd + separator.count)...]))
        }
        return fields
    }

    /// UTF-8 text, or Windows-1252 when the bytes are not UTF-8 (a spreadsheet's "CSV" in France).
    static func text(of bytes: [UInt8]) -> String { SpreadsheetText.decode(bytes) }

    private static func name(inHeaders headers: String) -> String? {
        for line in headers.split(whereSeparator: \.isNewline) where line.lowercased().hasPrefix("content-disposition:") {
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "name" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
        }
        return nil
    }

    private static func split(_ bytes: [UInt8], on delimiter: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var search = bytes[...]
        while let found = firstIndex(of: delimiter, in: search) {
            parts.append(bytes[start..<found])
            start = found + delimiter.count
            search = bytes[start...]
        }
        parts.append(bytes[start...])
        return parts
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
