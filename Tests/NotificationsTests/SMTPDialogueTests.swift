import Foundation
import Notifications
import Testing
import Transports

/// The dialogue against scripted replies: fallbacks and the replies a client must refuse.
@Suite struct SMTPDialogueTests {
    static let delivery = ["250 2.1.0 OK", "250 2.1.5 OK", "354 Go ahead", "250 2.0.0 Queued", "221 Bye"]

    func configuration(_ server: ScriptedSMTPServer, security: SMTPConfiguration.Security = .plain) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: server.port, security: security, heloName: "rdv.test", replyTimeout: .seconds(5))
    }

    @Test func aServerThatDoesNotKnowEHLOGetsHELO() async throws {
        let script = ["220-old.test\r\n220 multi-line greeting", "502 5.5.2 Command not recognized", "250 old.test"] + Self.delivery
        try await ScriptedSMTPServer.run(script) { server in
            try await SMTPClient(configuration: configuration(server)).send(MailFixtures.confirmation())

            let commands = server.commands.withLockedValue { $0 }
            #expect(commands == [
                "EHLO rdv.test", "HELO rdv.test", "MAIL FROM:<ne-pas-repondre@pas-de-calais.rdv.example>",
                "RCPT TO:<zoe.lefevre@example.org>", "DATA", "<message>", "QUIT",
            ])
        }
    }

    @Test func bytesSentWithTheSTARTTLSReplyAreRefused() async throws {
        // RFC 3207 §5: an on-path attacker could slip replies in before the handshake.
        let script = ["220 relay.test", "250-relay.test\r\n250 STARTTLS", "220 Go ahead\r\n250-relay.test\r\n250 AUTH PLAIN"]
        try await ScriptedSMTPServer.run(script) { server in
            let client = try SMTPClient(configuration: configuration(server, security: .startTLS))
            await #expect(throws: SMTPError(.malformedReply, at: .startTLS)) { try await client.send(MailFixtures.confirmation()) }
        }
    }

    @Test func aBusyServerSaying421AtGreetingIsTemporary() async throws {
        try await ScriptedSMTPServer.run(["421 4.3.2 Too busy, try later"]) { server in
            let client = try SMTPClient(configuration: configuration(server))
            let error = await #expect(throws: SMTPError.self) { try await client.send(MailFixtures.confirmation()) }
            #expect(error == SMTPError(.rejected(code: 421, enhancedCode: "4.3.2"), at: .greeting))
            #expect(error?.isTemporary == true)
        }
    }

    /// The worker rests the email channel when the server as a whole fails, not when one
    /// recipient is deferred.
    @Test func aServerClosingWith421IsUnavailableButOneDeferredRecipientIsNot() async throws {
        let message = OutgoingMessage(
            id: UUID(), channel: .email, kind: "reminder", recipient: "zoe.lefevre@example.org", subject: "Rappel", body: "Rappel",
            calendar: nil, calendarMethod: nil, idempotencyKey: "cle-1@rdv.test", attempts: 1
        )
        try await ScriptedSMTPServer.run(["220 relay.test", "250 relay.test", "421 4.3.2 Shutting down"]) { server in
            let transport = SMTPEmailTransport(client: try SMTPClient(configuration: configuration(server)), fromAddress: "rdv@rdv.test")
            let outcome = await transport.deliver(message)
            guard case .unavailable(let reason) = outcome else { Issue.record("got \(outcome)"); return }
            #expect(reason.contains("421") && !reason.contains("zoe"))
        }
        try await ScriptedSMTPServer.run(["220 relay.test", "250 relay.test", "250 2.1.0 OK", "450 4.2.1 Mailbox busy"]) { server in
            let transport = SMTPEmailTransport(client: try SMTPClient(configuration: configuration(server)), fromAddress: "rdv@rdv.test")
            let outcome = await transport.deliver(message)
            guard case .temporaryFailure = outcome else { Issue.record("got \(outcome)"); return }
        }
        #expect(SMTPError(.timedOut, at: .endOfData).isServerWide && SMTPError(.connectionFailed, at: .connect).isServerWide)
        #expect(SMTPError(.rejected(code: 451, enhancedCode: nil), at: .mailFrom).isServerWide)
        #expect(!SMTPError(.rejected(code: 452, enhancedCode: nil), at: .recipient).isServerWide)
        #expect(!SMTPError(.rejected(code: 550, enhancedCode: nil), at: .recipient).isServerWide)
    }

    @Test func somethingElseThanSMTPIsAMalformedReply() async throws {
        try await ScriptedSMTPServer.run(["HTTP/1.1 400 Bad Request"]) { server in
            let client = try SMTPClient(configuration: configuration(server))
            await #expect(throws: SMTPError(.malformedReply, at: .greeting)) { try await client.send(MailFixtures.confirmation()) }
        }
    }

    @Test func aConnectionLostAfterTheMessageMayHaveDeliveredIt() async throws {
        try await ScriptedSMTPServer.run(["220 relay.test", "250 relay.test", "250 OK", "250 OK", "354 Go ahead"]) { server in
            let client = try SMTPClient(configuration: configuration(server))
            let error = await #expect(throws: SMTPError.self) { try await client.send(MailFixtures.confirmation()) }
            #expect(error == SMTPError(.connectionClosed, at: .endOfData))
            #expect(error?.isTemporary == true && error?.mayHaveBeenDelivered == true)
        }
    }
}
