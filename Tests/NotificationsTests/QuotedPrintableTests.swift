import Testing
@testable import Transports

@Suite struct QuotedPrintableTests {
    @Test func longLinesGetSoftBreaksAndNoLinePasses76() {
        let line = String(repeating: "é", count: 100) + String(repeating: "a", count: 200)
        let encoded = QuotedPrintable.encode(line)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") }, "every break inside the line is soft")
        #expect(!lines.last!.hasSuffix("="))
        #expect(lines.allSatisfy { escapesAreWhole($0.hasSuffix("=") ? String($0.dropLast()) : $0) }, "no =XX cut in two")
        #expect(decode(encoded) == line)
    }

    @Test func equalsSignsAndTrailingSpacesAreEscaped() {
        #expect(QuotedPrintable.encode("a = b") == "a =3D b")
        #expect(QuotedPrintable.encode("fin  \nsuite\t") == "fin =20\r\nsuite=09")
        #expect(QuotedPrintable.encode("à 9 h 30") == "=C3=A0 9 h 30")
    }

    @Test func aLineStartingWithFromIsNotMistakenForAMailboxSeparator() {
        #expect(QuotedPrintable.encode("From now on\nFrom here") == "=46rom now on\r\n=46rom here")
        #expect(QuotedPrintable.encode("Fromage") == "Fromage")
    }

    @Test func everyKindOfLineBreakBecomesCRLF() {
        #expect(QuotedPrintable.encode("un\ndeux\r\ntrois\rquatre\n") == "un\r\ndeux\r\ntrois\r\nquatre\r\n")
    }

    @Test func aLineOfExactly76CharactersIsNotBroken() {
        #expect(QuotedPrintable.encode(String(repeating: "x", count: 76)) == String(repeating: "x", count: 76))
        let broken = QuotedPrintable.encode(String(repeating: "x", count: 77))
        #expect(broken == String(repeating: "x", count: 75) + "=\r\nxx")
    }

    /// Every `=` is followed by two hex digits.
    func escapesAreWhole(_ line: String) -> Bool {
        let characters = Array(line)
        return characters.indices.allSatisfy { index in
            characters[index] != "=" || (index + 2 < characters.count && characters[index + 1].isHexDigit && characters[index + 2].isHexDigit)
        }
    }

    /// A decoder written for the test, by the rules of RFC 2045 §6.7.
    func decode(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "=") {
                bytes.append(UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)!)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
