import Foundation
import Testing
@testable import Transports

@Suite struct MIMEWriterTests {
    static let date = Date(timeIntervalSince1970: 1_796_027_400)  // Mon, 30 Nov 2026 08:30:00 UTC

    @Test func headersCarryDateMessageIDAndIdempotencyKey() {
        let message = MIMEWriter.message(for: MailFixtures.confirmation(), date: Self.date)
        // Unfolded, as a reader sees them.
        let headers = message.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        #expect(headers.contains("Date: Mon, 30 Nov 2026 08:30:00 +0000\r\n"))
        #expect(headers.contains("Message-ID: <rdv-42-confirmation-2@pas-de-calais.rdv.example>\r\n"))
        #expect(headers.contains("X-RDV-Idempotency-Key: rdv-42-confirmation-2\r\n"))
        #expect(headers.contains("MIME-Version: 1.0\r\n"))
        #expect(headers.contains("From: =?UTF-8?Q?D=C3=A9partement_du_Pas-de-Calais?= <ne-pas-repondre@pas-de-calais.rdv.example>"))
    }

    @Test func everyLineIsASCIIAndAtMost78Characters() {
        let message = MIMEWriter.message(for: MailFixtures.confirmation(), date: Self.date)
        #expect(message.unicodeScalars.allSatisfy { $0.isASCII })
        let lines = message.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(!message.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare line feed")
    }

    @Test func anInvitationMakesMixedThenAlternativeWithACalendarPartAndAnAttachment() {
        let message = MIMEWriter.message(for: MailFixtures.confirmation(), date: Self.date)
        let types = message.components(separatedBy: "\r\n").filter { $0.hasPrefix("Content-Type:") }
        #expect(types.count == 6)
        #expect(types[0].hasPrefix("Content-Type: multipart/mixed; boundary=\"=_rdv_"))
        #expect(types[1].hasPrefix("Content-Type: multipart/alternative; boundary=\"=_rdv_"))
        #expect(types[2...] == ["Content-Type: text/plain; charset=UTF-8", "Content-Type: text/html; charset=UTF-8",
                                "Content-Type: text/calendar; method=REQUEST; charset=UTF-8", "Content-Type: application/ics; name=\"invite.ics\""])
        #expect(message.contains("Content-Disposition: attachment; filename=\"invite.ics\""))
    }

    @Test func plainTextAloneIsASinglePart() {
        var email = MailFixtures.confirmation(withInvitation: false)
        email.html = nil
        let message = MIMEWriter.message(for: email, date: Self.date)
        #expect(!message.contains("multipart"))
        #expect(message.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nBonjour Zo=C3=AB,"))
    }

    @Test func boundariesDifferFromOneMessageToTheNext() {
        let first = MIMEWriter.message(for: MailFixtures.confirmation(), date: Self.date)
        let second = MIMEWriter.message(for: MailFixtures.confirmation(), date: Self.date)
        #expect(first != second)
    }

    @Test func keysWithOtherCharactersAreEscapedWithoutCollisions() {
        #expect(MIMEWriter.idempotencyKey("rdv-42_rappel") == "rdv-42_rappel")
        #expect(MIMEWriter.idempotencyKey("rdv 42/é") == "rdv=2042=2F=C3=A9")
        #expect(MIMEWriter.idempotencyKey("a=20") != MIMEWriter.idempotencyKey("a "))
    }
}
