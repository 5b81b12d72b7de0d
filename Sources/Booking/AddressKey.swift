import Foundation

/// Keys that compare commune and street names the way people read them: without case, accents,
/// ligatures or punctuation. "Rue Saint-Étienne", "RUE SAINT ETIENNE" and "rue saint’étienne"
/// share one key; "St" and "Saint" stay different, as typed.
public enum AddressKey {
    /// The key of a commune or street name: lower case ASCII-like letters and digits, words
    /// separated by one space. Empty when the name holds no letter or digit.
    public static func of(_ name: String) -> String {
        var folded = ""
        folded.unicodeScalars.reserveCapacity(name.unicodeScalars.count)
        for scalar in name.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if let ligature = ligatures[scalar] {
                folded += ligature
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                folded.unicodeScalars.append(scalar)
            } else {
                // Apostrophes, hyphens, dots, commas, spaces of any kind: all separate words.
                folded.unicodeScalars.append(" ")
            }
        }
        return folded.split(separator: " ").joined(separator: " ")
    }

    /// A commune's INSEE code in its canonical form ("2a004" → "2A004"), or nil when it is not one:
    /// five characters, the first two a département (digits, or 2A / 2B for Corsica).
    public static func communeCode(_ text: String) -> String? {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        let characters = Array(code)
        guard characters.count == 5, characters[2...].allSatisfy(\.isASCIIDigit) else { return nil }
        let departement = characters[0...1]
        let corsica = departement.first == "2" && (departement.last == "A" || departement.last == "B")
        guard departement.allSatisfy(\.isASCIIDigit) || corsica else { return nil }
        return code
    }

    private static let ligatures: [Unicode.Scalar: String] = ["œ": "oe", "æ": "ae", "ß": "ss"]
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
