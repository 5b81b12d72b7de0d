import Foundation
import Notifications

/// Emails through an SMTP server: the message's text, its invitation when it has one, the
/// département's name as sender, and the idempotency key as Message-ID on every attempt (a
/// retry after a dropped connection is then recognisable as the same message).
public struct SMTPEmailTransport: MessageTransport {
    let client: SMTPClient
    let fromAddress: String

    public init(client: SMTPClient, fromAddress: String) {
        self.client = client
        self.fromAddress = fromAddress
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        let invitation = message.calendar.map { CalendarInvitation(method: message.calendarMethod == "CANCEL" ? .cancel : .request, ics: $0) }
        let email = OutgoingEmail(
            from: Mailbox(fromAddress, name: message.senderName.isEmpty ? nil : message.senderName), to: Mailbox(message.recipient),
            subject: message.subject, text: message.body, html: HTMLBody.from(message.body), invitation: invitation, messageID: message.idempotencyKey
        )
        do {
            try await client.send(email)
            return .sent(providerReference: nil)
        } catch {
            guard error.isTemporary else { return .permanentFailure("SMTP : \(error)") }
            return error.isServerWide ? .unavailable("SMTP : \(error)") : .temporaryFailure("SMTP : \(error)")
        }
    }
}
