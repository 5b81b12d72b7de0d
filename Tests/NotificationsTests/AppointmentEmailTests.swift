import Foundation
import Logging
import Notifications
import Scheduling
import Testing
import TestSupport
import Transports
@testable import Tenancy

/// An appointment's messages through the worker and a real SMTP server, read back by Python's
/// email and icalendar packages: the confirmation invites, the cancellation cancels the same event.
@Suite struct AppointmentEmailTests {
    @Test func theConfirmationAndTheCancellationArriveWithTheirInvitations() async throws {
        try await TestWorld.run { world in
            let fixture = try await NoticeFixture.make(world, phone: nil)
            try await SMTPSink.run { sink in
                let transport = SMTPEmailTransport(client: try SMTPClient(configuration: sink.configuration()), fromAddress: "ne-pas-repondre@rdv.test")
                let worker = fixture.worker(world, email: transport)
                #expect(try await worker.deliverDue(in: fixture.tenant, now: Date()) == 1)
                try await world.database.tenant(fixture.tenant).transaction { connection in
                    try await connection.query("UPDATE rdvs SET status = 'revoked' WHERE id = \(fixture.rdvID)")
                    try await connection.query("INSERT INTO rdv_events (rdv_id, action) VALUES (\(fixture.rdvID), 'status:revoked')")
                    try await AppointmentNotices(connection, tenant: fixture.tenant, links: fixture.links).record(.cancelled, rdvID: fixture.rdvID, byUsager: false)
                }
                #expect(try await worker.deliverDue(in: fixture.tenant, now: Date()) == 1)
                let received = try sink.received()
                try #require(received.count == 2)
                let confirmation = try await ReceivedMessage.read(received[0].eml)
                #expect(confirmation.subject.hasPrefix("Rendez-vous confirmé le ") && confirmation.fromName == fixture.tenant.name)
                #expect(confirmation.text?.contains("Apportez le carnet de santé.") == true && confirmation.text?.contains("/g/") == true)
                #expect(confirmation.html?.contains("<a href=\"http://\(fixture.tenant.slug).rdv.test/g/") == true && confirmation.html?.contains("carnet de santé") == true)
                let invitation = try #require(confirmation.calendar)
                #expect(invitation.method == "REQUEST" && invitation.sequence == 0 && invitation.uid.hasPrefix(fixture.rdvID.uuidString.lowercased()))
                let cancellation = try await ReceivedMessage.read(received[1].eml)
                #expect(cancellation.subject.hasSuffix("annulé") && cancellation.text?.contains("annulé par le service") == true)
                #expect(cancellation.calendar?.method == "CANCEL" && cancellation.calendar?.uid == invitation.uid && cancellation.calendar?.sequence == 1)
                #expect(received.allSatisfy { $0.envelope.rcptTos == ["lea@exemple.fr"] })
            }
            let states = try await fixture.messages(world).filter { $0.channel == "email" && $0.kind != "reminder" }.map(\.state)
            #expect(states == ["sent", "sent"])
        }
    }

    @Test func theHTMLAlternativeEscapesAndLinks() {
        let html = HTMLBody.from("Bonjour <Léa> & co,\n\nGérer : https://x.example/gerer/a?b=1&c=2\nMerci")
        #expect(html.contains("<p>Bonjour &lt;Léa&gt; &amp; co,</p>"))
        #expect(html.contains("<a href=\"https://x.example/gerer/a?b=1&amp;c=2\">https://x.example/gerer/a?b=1&amp;c=2</a><br>Merci"))
    }

    @Test func anSMTPURLReadsAsItsConfiguration() throws {
        let configuration = try #require(SMTPConfiguration(url: "smtp://relais%40cd62:mot%20de%20passe@smtp.exemple.fr:2525?helo=rdv.exemple.fr"))
        #expect(configuration.host == "smtp.exemple.fr" && configuration.port == 2525 && configuration.security == .startTLS)
        #expect(configuration.credentials?.username == "relais@cd62" && configuration.credentials?.password == "mot de passe" && configuration.heloName == "rdv.exemple.fr")
        #expect(SMTPConfiguration(url: "smtps://smtp.exemple.fr")?.security == .implicitTLS && SMTPConfiguration(url: "smtps://smtp.exemple.fr")?.port == 465)
        #expect(SMTPConfiguration(url: "http://smtp.exemple.fr") == nil && SMTPConfiguration(url: "smtp://h?security=rot13") == nil)
    }
}
