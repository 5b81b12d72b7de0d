/// RFC 2045 §6.7 quoted-printable for UTF-8 text: French stays mostly readable in the raw
/// message, every line is at most 76 characters, and nothing but ASCII goes on the wire.
enum QuotedPrintable {
    static let lineLimit = 76

    /// `text` with its line breaks (LF, CRLF or CR) made CRLF, each line encoded.
    static func encode(_ text: String) -> String {
        lines(of: text).map(encodeLine).joined(separator: "\r\n")
    }

    static func lines(of text: String) -> [Substring] {
        // Swift sees "\r\n" as one Character, so this splits on each kind of break once.
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    /// One text line, cut with soft breaks (`=` at the end of a line) where it is too long.
    static func encodeLine(_ line: Substring) -> String {
        let bytes = Array(line.utf8)
        var pieces: [String] = []
        var current = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            // Mailbox files turn a line starting "From " into ">From "; a coded F avoids it.
            let mboxSeparator = index == 0 && line.hasPrefix("From ")
            let token = mboxSeparator ? "=46" : encoded(byte, atEndOfLine: isLast)
            // The soft break's `=` needs a place too, except after the last token.
            if current.count + token.count > (isLast ? lineLimit : lineLimit - 1) {
                pieces.append(current + "=")
                current = ""
            }
            current += token
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n")
    }

    static func encoded(_ byte: UInt8, atEndOfLine: Bool) -> String {
        switch byte {
        // A space or tab ending a line may be stripped in transit, so it is written as a code.
        case UInt8(ascii: " "), UInt8(ascii: "\t"):
            atEndOfLine ? "=" + EncodedWord.hex(byte) : String(UnicodeScalar(byte))
        case 33...126 where byte != UInt8(ascii: "="):
            String(UnicodeScalar(byte))
        default:
            "=" + EncodedWord.hex(byte)
        }
    }
}
