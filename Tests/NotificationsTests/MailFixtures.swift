import Foundation
import Transports

/// Emails as the outbox would build them, in French, with the awkward cases on purpose.
enum MailFixtures {
    static let subject = "Rendez-vous confirmé le lundi 30 novembre à 9 h 30"
    static let longLine = String(repeating: "Votre rendez-vous « Consultation » à l’accueil. ", count: 7).prefix(300).description

    static let text = """
        Bonjour Zoë,

        Votre rendez-vous est confirmé le lundi 30 novembre à 9 h 30.
        .Une ligne qui commence par un point.
        .
        ..deux points
        \(longLine)
        Des espaces en fin de ligne   
        Un signe = et un =20 écrit tel quel.
        From the start of a line.
        Maison du Département, 12 rue de l’Église, 62000 Arras

        """

    static let html = """
        <p>Bonjour Zoë,</p>
        <p>Votre rendez-vous est <strong>confirmé</strong> le lundi 30&nbsp;novembre à 9&nbsp;h&nbsp;30.</p>
        <p>\(longLine)</p>
        .<p>Une ligne qui commence par un point.</p>
        """

    static func ics(method: String = "REQUEST", sequence: Int = 2) -> String {
        """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//RDV Départements//FR
        METHOD:\(method)
        BEGIN:VEVENT
        UID:rdv-42@pas-de-calais.rdv.example
        SEQUENCE:\(sequence)
        DTSTAMP:20261120T100000Z
        DTSTART:20261130T083000Z
        DTEND:20261130T090000Z
        SUMMARY:Consultation à la Maison du Département
        LOCATION:12 rue de l’Église\\, 62000 Arras
        END:VEVENT
        END:VCALENDAR

        """
    }

    static func confirmation(to address: String = "zoe.lefevre@example.org", withInvitation: Bool = true) -> OutgoingEmail {
        OutgoingEmail(
            from: Mailbox("ne-pas-repondre@pas-de-calais.rdv.example", name: "Département du Pas-de-Calais"),
            to: Mailbox(address, name: "Zoë Lefèvre"),
            replyTo: Mailbox("accueil.arras@pas-de-calais.example", name: "Maison du Département – Arras"),
            subject: subject,
            text: text,
            html: html,
            invitation: withInvitation ? CalendarInvitation(method: .request, ics: ics()) : nil,
            messageID: "rdv-42-confirmation-2"
        )
    }
}
