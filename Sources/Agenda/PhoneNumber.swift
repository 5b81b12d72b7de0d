import Foundation

/// A French phone number in E.164 form (`+33612345678`), overseas départements included:
/// their numbers are dialled with a 0 in France but belong to their own country codes.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let e164: String

    /// Country code of a national number by its first digits after the 0 (ARCEP plan).
    static let overseas: [(prefix: String, code: String)] = [
        ("262", "262"), ("692", "262"), ("693", "262"), ("269", "262"), ("639", "262"),
        ("590", "590"), ("690", "590"), ("691", "590"),
        ("594", "594"), ("694", "594"),
        ("596", "596"), ("696", "596"), ("697", "596"),
        ("508", "508"),
    ]

    /// Reads a number as people type it: spaces, dots, dashes and brackets allowed; nil when it is not a French number.
    public init?(_ text: String) {
        var digits = ""
        for (index, character) in text.trimmingCharacters(in: .whitespaces).enumerated() {
            if character.isASCII, character.isNumber { digits.append(character) } else if character == "+", index == 0 {
                digits.append(character)
            } else if !" .-()/".contains(character) { return nil }
        }
        if digits.hasPrefix("00") { digits = "+" + digits.dropFirst(2) }
        if digits.hasPrefix("+") {
            let number = String(digits.dropFirst())
            let known = ["33"] + Self.overseas.map(\.code)
            guard let code = known.first(where: { number.hasPrefix($0) }), number.count == code.count + 9,
                  !number.dropFirst(code.count).hasPrefix("0")
            else { return nil }
            e164 = "+" + number
            return
        }
        guard digits.count == 10, digits.hasPrefix("0"), digits.dropFirst().first != "0" else { return nil }
        let national = String(digits.dropFirst())
        let code = Self.overseas.first { national.hasPrefix($0.prefix) }?.code ?? "33"
        e164 = "+\(code)\(national)"
    }

    /// Mobile numbers, which can receive an SMS.
    public var isMobile: Bool {
        let national = e164.hasPrefix("+33") ? String(e164.dropFirst(3)) : String(e164.dropFirst(4))
        if e164.hasPrefix("+33") { return national.hasPrefix("6") || national.hasPrefix("7") }
        return ["692", "693", "639", "690", "691", "694", "696", "697"].contains { national.hasPrefix($0) }
    }

    public var description: String { e164 }
}
