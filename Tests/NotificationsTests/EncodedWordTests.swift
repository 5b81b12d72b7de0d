import Foundation
import Testing
@testable import Transports

@Suite struct EncodedWordTests {
    @Test func frenchSubjectBecomesQEncodedWordsOnFoldedLines() {
        let header = MIMEHeaderField.unstructured("Subject", "Rendez-vous confirmé le lundi 30 novembre à 9 h 30")
        #expect(header.hasPrefix("Subject: =?UTF-8?Q?Rendez-vous_confirm=C3=A9_le"))
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" =?UTF-8?") })
        #expect(header.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func plainASCIISubjectStaysReadableAndFoldsAtSpaces() {
        let subject = Array(repeating: "Rappel", count: 20).joined(separator: " ")
        let header = MIMEHeaderField.unstructured("Subject", subject)
        #expect(!header.contains("=?"))
        #expect(header.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(header.replacingOccurrences(of: "\r\n", with: "") == "Subject: " + subject, "unfolding gives the text back")
    }

    @Test func textThatLooksEncodedOrHasALineBreakIsEncoded() {
        let lookalike = MIMEHeaderField.unstructured("Subject", "=?UTF-8?Q?x?=")
        #expect(lookalike != "Subject: =?UTF-8?Q?x?=" && lookalike.hasPrefix("Subject: =?UTF-8?"))
        let injected = MIMEHeaderField.unstructured("Subject", "Bonjour\r\nBcc: someone@example.org")
        #expect(!injected.contains("\r\nBcc"), "a line break in a value cannot start a header")
    }

    @Test(arguments: [
        String(repeating: "é", count: 40) + String(repeating: "Département ", count: 12),
        String(repeating: "🙂Ω", count: 30),
    ])
    func wordsNeverExceed75CharactersNorCutACharacter(text: String) {
        let words = EncodedWord.words(text)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(words.count > 3)
        let decoded = words.map(decode)
        #expect(decoded.allSatisfy { $0 != nil }, "each word holds whole characters")
        #expect(decoded.compactMap { $0 }.joined() == text)
    }

    /// A decoder written for the test, by the rules of RFC 2047 §4.
    func decode(_ word: String) -> String? {
        let encoding = word.dropFirst("=?UTF-8?".count).prefix(1)
        let payload = String(word.dropFirst("=?UTF-8?Q?".count).dropLast(2))
        if encoding == "B" { return Data(base64Encoded: payload).flatMap { String(validating: $0, as: UTF8.self) } }
        var bytes: [UInt8] = []
        var input = Array(payload.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "=") {
                bytes.append(UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)!)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "_") ? 32 : byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    @Test func mostlyNonLatinTextUsesBase64() {
        let words = EncodedWord.words("Ωμέγα Ψυχή Σοφία")
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") })
    }

    @Test func displayNamesAreEncodedOnlyWhenNeeded() {
        #expect(MIMEHeaderField.mailbox("From", Mailbox("a@example.org", name: "CCAS d'Arras")) == "From: CCAS d'Arras <a@example.org>")
        #expect(MIMEHeaderField.mailbox("To", Mailbox("a@example.org")) == "To: <a@example.org>")
        let accented = MIMEHeaderField.mailbox("From", Mailbox("a@example.org", name: "Département du Pas-de-Calais"))
        #expect(accented == "From: =?UTF-8?Q?D=C3=A9partement_du_Pas-de-Calais?= <a@example.org>")
        let dotted = MIMEHeaderField.mailbox("From", Mailbox("a@example.org", name: "M. Dupont"))
        #expect(dotted.contains("=?UTF-8?Q?M=2E_Dupont?="), "a dot is special in a phrase")
    }
}
