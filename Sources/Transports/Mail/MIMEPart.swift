import Foundation

/// A node of the MIME tree: a leaf with its already encoded body, or a multipart of others.
indirect enum MIMEPart {
    case leaf(headers: [String], body: String)
    case multipart(subtype: String, parts: [MIMEPart])

    /// Plain or HTML text, quoted-printable.
    static func text(_ subtype: String, _ text: String, parameters: String = "") -> MIMEPart {
        .leaf(
            headers: [
                MIMEHeaderField.structured("Content-Type", "text/\(subtype)\(parameters); charset=UTF-8"),
                "Content-Transfer-Encoding: quoted-printable",
            ],
            body: QuotedPrintable.encode(text)
        )
    }

    /// A file, base64 in lines of 76.
    static func attachment(_ type: String, filename: String, _ content: String) -> MIMEPart {
        .leaf(
            headers: [
                MIMEHeaderField.structured("Content-Type", "\(type); name=\"\(filename)\""),
                "Content-Disposition: attachment; filename=\"\(filename)\"",
                "Content-Transfer-Encoding: base64",
            ],
            body: base64Lines(Array(content.utf8))
        )
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Data(bytes).base64EncodedString())
        return stride(from: 0, to: encoded.count, by: 76).map { String(encoded[$0..<min($0 + 76, encoded.count)]) }.joined(separator: "\r\n")
    }

    /// Headers, blank line, body; multipart boundaries drawn from `random`.
    func rendered(using random: inout some RandomNumberGenerator) -> String {
        switch self {
        case .leaf(let headers, let body):
            return (headers + ["", body]).joined(separator: "\r\n")
        case .multipart(let subtype, let parts):
            let boundary = Self.boundary(using: &random)
            var lines = [MIMEHeaderField.structured("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\""), ""]
            for part in parts {
                lines += ["--\(boundary)", part.rendered(using: &random)]
            }
            lines.append("--\(boundary)--")
            return lines.joined(separator: "\r\n")
        }
    }

    /// `=_` can start no line of a quoted-printable or base64 body (`=` there is always
    /// followed by a hex digit or a line end), so the boundary cannot occur inside a part.
    static func boundary(using random: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return "=_rdv_" + String((0..<24).map { _ in alphabet.randomElement(using: &random)! })
    }
}
