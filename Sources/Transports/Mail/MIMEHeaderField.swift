import Foundation

/// One header field rendered for the wire: ASCII only, folded to lines of at most 78
/// characters, with RFC 2047 encoded-words wherever the value is not plain ASCII.
enum MIMEHeaderField {
    static let lineLimit = 78

    /// Free text such as `Subject`: left as words when plain ASCII, otherwise encoded whole.
    static func unstructured(_ name: String, _ value: String) -> String {
        let value = singleLine(value)
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // Runs of spaces, a word too long to fold, or text a reader would take for an
        // encoded-word: only encoding the whole value keeps such text exactly.
        let plain = isPlainASCII(value) && !value.contains("=?") && !words.contains(where: \.isEmpty)
            && words.allSatisfy { $0.count <= lineLimit - name.count - 2 }
        return fold(name, plain ? words : EncodedWord.words(value, firstLimit: firstLimit(name)))
    }

    /// `From`, `To`, `Reply-To`: the display name (if any) then `<address>`.
    static func mailbox(_ name: String, _ mailbox: Mailbox) -> String {
        let address = "<\(singleLine(mailbox.address))>"
        guard let displayName = mailbox.name.map(singleLine), !displayName.isEmpty else {
            return fold(name, [address])
        }
        let atoms = displayName.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // A phrase of atoms needs no quoting; anything else (accents, dots, commas) is encoded.
        let plain = atoms.allSatisfy { !$0.isEmpty && $0.count <= 60 && $0.unicodeScalars.allSatisfy(isAtext) }
        return fold(name, (plain ? atoms : EncodedWord.words(displayName, firstLimit: firstLimit(name))) + [address])
    }

    /// Values we build ourselves from ASCII (`Content-Type` and the like), folded at spaces.
    static func structured(_ name: String, _ value: String) -> String {
        fold(name, value.split(separator: " ").map(String.init))
    }

    static func firstLimit(_ name: String) -> Int { min(EncodedWord.maximumLength, lineLimit - name.count - 2) }

    /// Puts as many tokens on each line as fit; a fold is a CRLF before the space between two.
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var lines = ["\(name):"]
        for (index, token) in tokens.enumerated() {
            if index == 0 || lines[lines.count - 1].count + 1 + token.count <= lineLimit {
                lines[lines.count - 1] += " " + token
            } else {
                lines.append(" " + token)
            }
        }
        return lines.joined(separator: "\r\n")
    }

    /// A header cannot hold a line break: one in a value would start a forged header.
    static func singleLine(_ value: String) -> String {
        String(value.map { $0.isNewline ? " " : $0 })
    }

    static func isPlainASCII(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar))
    }
}
