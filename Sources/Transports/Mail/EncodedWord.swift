import Foundation

/// RFC 2047 encoded-words in UTF-8, Q or B, whichever is shorter for the text. Readers join
/// adjacent encoded-words without the space between them, so a long text can be cut into
/// several words, each short enough to sit on its own folded line.
enum EncodedWord {
    /// RFC 2047 §2: an encoded-word is at most 75 characters.
    static let maximumLength = 75

    enum Encoding: String {
        case q = "Q"
        case b = "B"
    }

    /// The words for `text`: the first at most `firstLimit` long (it shares its line with the
    /// header name), the others at most 75. Cuts fall between Unicode scalars, never inside one.
    static func words(_ text: String, firstLimit: Int = maximumLength) -> [String] {
        let encoding: Encoding = qLength(Array(text.utf8)) <= bLength(text.utf8.count) ? .q : .b
        let overhead = "=?UTF-8?\(encoding.rawValue)??=".count
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            let limit = (words.isEmpty ? firstLimit : maximumLength) - overhead
            if !chunk.isEmpty && length(chunk + bytes, encoding) > limit {
                words.append(word(chunk, encoding))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk, encoding)) }
        return words
    }

    static func word(_ bytes: [UInt8], _ encoding: Encoding) -> String {
        switch encoding {
        case .q: "=?UTF-8?Q?" + bytes.map(qEncoded).joined() + "?="
        case .b: "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
        }
    }

    static func length(_ bytes: [UInt8], _ encoding: Encoding) -> Int {
        encoding == .q ? qLength(bytes) : bLength(bytes.count)
    }

    static func qLength(_ bytes: [UInt8]) -> Int { bytes.reduce(0) { $0 + qEncoded($1).count } }
    static func bLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// RFC 2047 §5 (3): in a display name only letters, digits and `!*+-/` may stand for
    /// themselves; using that narrow set everywhere keeps one rule for every header.
    static func qEncoded(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: " "): "_"
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            String(UnicodeScalar(byte))
        default: "=" + hex(byte)
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
