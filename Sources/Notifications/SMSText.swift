import Foundation

/// The cost unit of an SMS: segments. A text of GSM 7-bit characters fits 160 in one segment
/// (153 per segment beyond); any other character turns the whole text into UCS-2, 70 in one
/// segment (67 beyond). French text often loses GSM-7 for a curly apostrophe or a circumflex,
/// so `plain` trades those for their nearest GSM-7 character before counting.
public enum SMSText {
    /// GSM 03.38 basic character set (one septet each).
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    /// The extension table: each costs an escape and the character (two septets).
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public enum Encoding: String, Sendable {
        case gsm7, ucs2
    }

    public struct Count: Sendable, Hashable {
        public let encoding: Encoding
        /// Septets for GSM-7, UTF-16 code units for UCS-2.
        public let units: Int
        public let segments: Int
    }

    public static func count(_ text: String) -> Count {
        if text.allSatisfy({ basic.contains($0) || extended.contains($0) }) {
            let septets = text.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
            return Count(encoding: .gsm7, units: septets, segments: segments(septets, single: 160, multi: 153))
        }
        let units = text.utf16.count
        return Count(encoding: .ucs2, units: units, segments: segments(units, single: 70, multi: 67))
    }

    static func segments(_ units: Int, single: Int, multi: Int) -> Int {
        units == 0 ? 1 : units <= single ? 1 : (units + multi - 1) / multi
    }

    /// Replacements that keep the meaning and stay in GSM-7.
    static let replacements: [Character: String] = [
        "’": "'", "‘": "'", "«": "\"", "»": "\"", "“": "\"", "”": "\"", "–": "-", "—": "-", "…": "...",
        "\u{00A0}": " ", "\u{202F}": " ", "â": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
        "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U",
    ]

    /// The text with typographic characters traded for GSM-7 ones when that is all that keeps it
    /// out of UCS-2; unchanged otherwise (a name in another script keeps its letters).
    public static func plain(_ text: String) -> String {
        // French guillemets come with inner spaces that English quotes do without.
        let quoted = text.replacingOccurrences(of: "«\u{00A0}", with: "«").replacingOccurrences(of: "« ", with: "«")
            .replacingOccurrences(of: "\u{00A0}»", with: "»").replacingOccurrences(of: " »", with: "»")
        let traded = String(quoted.flatMap { replacements[$0].map(Array.init) ?? [$0] })
        return count(traded).encoding == .gsm7 ? traded : text
    }
}
