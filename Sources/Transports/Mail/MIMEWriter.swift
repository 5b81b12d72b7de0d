import Foundation

/// Turns an `OutgoingEmail` into the bytes of an RFC 5322 message: 7-bit ASCII, CRLF lines
/// of at most 78 characters, ready for SMTP `DATA` (before dot-stuffing).
public enum MIMEWriter {
    public static func message(for email: OutgoingEmail, date: Date = Date()) -> String {
        var random = SystemRandomNumberGenerator()
        return message(for: email, date: date, using: &random)
    }

    static func message(for email: OutgoingEmail, date: Date, using random: inout some RandomNumberGenerator) -> String {
        let key = idempotencyKey(email.messageID)
        var headers = [
            "Date: \(RFC5322Date.string(from: date))",
            MIMEHeaderField.mailbox("From", email.from),
            MIMEHeaderField.mailbox("To", email.to),
        ]
        if let replyTo = email.replyTo { headers.append(MIMEHeaderField.mailbox("Reply-To", replyTo)) }
        headers += [
            MIMEHeaderField.unstructured("Subject", email.subject),
            MIMEHeaderField.structured("Message-ID", "<\(key)@\(domain(of: email.from.address))>"),
            MIMEHeaderField.structured("X-RDV-Idempotency-Key", key),
            "MIME-Version: 1.0",
        ]
        let body = body(of: email).rendered(using: &random)
        // The message must end with a line break; a text that has its own keeps just that one.
        return headers.joined(separator: "\r\n") + "\r\n" + body + (body.hasSuffix("\r\n") ? "" : "\r\n")
    }

    /// The text alone when that is all there is; otherwise the alternatives a mail client
    /// chooses from, then the invitation again as a file.
    static func body(of email: OutgoingEmail) -> MIMEPart {
        var alternatives = [MIMEPart.text("plain", email.text)]
        if let html = email.html { alternatives.append(.text("html", html)) }
        if let invitation = email.invitation {
            alternatives.append(.text("calendar", invitation.ics, parameters: "; method=\(invitation.method.rawValue)"))
        }
        let readable = alternatives.count == 1 ? alternatives[0] : .multipart(subtype: "alternative", parts: alternatives)
        guard let invitation = email.invitation else { return readable }
        // RFC 5545 wants CRLF line ends; the inline part gets them from quoted-printable.
        let ics = QuotedPrintable.lines(of: invitation.ics).joined(separator: "\r\n")
        return .multipart(subtype: "mixed", parts: [readable, .attachment("application/ics", filename: "invite.ics", ics)])
    }

    /// The caller's key, with every character but letters, digits, `-` and `_` written as
    /// `=XX` so that it is a valid `Message-ID` left part and two keys never collide.
    static func idempotencyKey(_ messageID: String) -> String {
        messageID.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                String(UnicodeScalar(byte))
            default:
                "=" + EncodedWord.hex(byte)
            }
        }.joined()
    }

    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? "localhost"
    }
}
