import Foundation
import Testing
import Transports

/// End to end: our client sends to a real SMTP server (aiosmtpd), and Python's own email
/// and icalendar packages read back what arrived.
@Suite struct SMTPDeliveryTests {
    static let credentials = SMTPConfiguration.Credentials(username: "rdv-relay", password: "s3cret pass")

    @Test func startTLSThenAuthPlainDeliversWhatAMailClientReadsBack() async throws {
        let directory = try ChildProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await TestCertificate.make(in: directory)
        let options = SMTPSink.Options(tls: certificate, login: ("rdv-relay", "s3cret pass"))
        try await SMTPSink.run(options) { sink in
            let client = try SMTPClient(configuration: sink.configuration(security: .startTLS, credentials: Self.credentials, trust: certificate))

            try await client.send(MailFixtures.confirmation())

            let received = try sink.received()
            try #require(received.count == 1)
            let envelope = received[0].envelope
            #expect(envelope.rcptTos == ["zoe.lefevre@example.org"])
            #expect(envelope.mailFrom == "ne-pas-repondre@pas-de-calais.rdv.example")
            #expect(envelope.tls && envelope.login == "rdv-relay" && envelope.helo == "rdv.test")

            let message = try await ReceivedMessage.read(received[0].eml)
            #expect(message.subject == MailFixtures.subject)
            #expect(message.fromName == "Département du Pas-de-Calais")
            #expect(message.fromAddress == "ne-pas-repondre@pas-de-calais.rdv.example")
            #expect(message.toAddress == "zoe.lefevre@example.org")
            #expect(message.replyTo == "accueil.arras@pas-de-calais.example")
            #expect(message.messageId == "<rdv-42-confirmation-2@pas-de-calais.rdv.example>")
            #expect(message.idempotencyKey == "rdv-42-confirmation-2")
            #expect(message.mimeVersion == "1.0" && message.dateHasZone)
            #expect(message.structure == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar", "application/ics"])
            #expect(message.defects == 0)
            #expect(message.asciiOnly && message.crlfOnly && message.longestLine <= 78)

            #expect(message.text == MailFixtures.text, "a line starting with a dot and a 300-character line come back exactly")
            #expect(message.html == MailFixtures.html)

            let expected = ReceivedMessage.Invitation(
                method: "REQUEST", uid: "rdv-42@pas-de-calais.rdv.example", sequence: 2, summary: "Consultation à la Maison du Département"
            )
            #expect(message.calendar == expected)
            #expect(message.calendarMethodParameter == "REQUEST" && message.calendarCharset == "utf-8")
            #expect(message.attachment == expected)
            #expect(message.attachmentType == "application/ics" && message.attachmentName == "invite.ics")
        }
    }

    @Test func implicitTLSThenAuthLoginDeliversACancellation() async throws {
        let directory = try ChildProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await TestCertificate.make(in: directory)
        let options = SMTPSink.Options(tls: certificate, implicitTLS: true, login: ("rdv-relay", "s3cret pass"), excludedMechanisms: ["PLAIN"])
        try await SMTPSink.run(options) { sink in
            let client = try SMTPClient(configuration: sink.configuration(security: .implicitTLS, credentials: Self.credentials, trust: certificate))
            var email = MailFixtures.confirmation()
            email.subject = "Rendez-vous annulé"
            email.invitation = CalendarInvitation(method: .cancel, ics: MailFixtures.ics(method: "CANCEL", sequence: 3))

            try await client.send(email)

            let received = try sink.received()
            try #require(received.count == 1)
            #expect(received[0].envelope.tls && received[0].envelope.login == "rdv-relay")
            let message = try await ReceivedMessage.read(received[0].eml)
            #expect(message.subject == "Rendez-vous annulé")
            #expect(message.calendarMethodParameter == "CANCEL")
            #expect(message.calendar?.method == "CANCEL" && message.calendar?.sequence == 3)
            #expect(message.attachment == message.calendar)
        }
    }

    @Test func plainTextAloneOverAPlainConnection() async throws {
        try await SMTPSink.run { sink in
            let client = try SMTPClient(configuration: sink.configuration())
            var email = MailFixtures.confirmation(withInvitation: false)
            email.html = nil

            try await client.send(email)
            try await client.send(email)

            let received = try sink.received()
            try #require(received.count == 2)
            #expect(received.allSatisfy { !$0.envelope.tls && $0.envelope.login == nil })
            let message = try await ReceivedMessage.read(received[1].eml)
            #expect(message.structure == ["text/plain"])
            #expect(message.text == MailFixtures.text)
            #expect(message.idempotencyKey == "rdv-42-confirmation-2", "a second attempt carries the same key")
        }
    }
}
