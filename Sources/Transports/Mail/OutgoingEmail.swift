/// One email as the outbox hands it to `SMTPClient`: who, what, and the stable key that lets
/// a provider (and our logs) recognise the same message sent twice after a retry.
public struct OutgoingEmail: Sendable, Hashable {
    public var from: Mailbox
    public var to: Mailbox
    public var replyTo: Mailbox?
    public var subject: String
    /// The plain-text body; every message has one.
    public var text: String
    public var html: String?
    public var invitation: CalendarInvitation?
    /// A stable key such as `rdv-42-confirmation-3`, the same on every attempt: it becomes the
    /// `Message-ID` (with the sender's domain) and the `X-RDV-Idempotency-Key` header.
    public var messageID: String

    public init(
        from: Mailbox, to: Mailbox, replyTo: Mailbox? = nil, subject: String, text: String, html: String? = nil,
        invitation: CalendarInvitation? = nil, messageID: String
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.invitation = invitation
        self.messageID = messageID
    }
}

/// An address with the name shown beside it, e.g. "Département du Pas-de-Calais".
public struct Mailbox: Sendable, Hashable {
    /// ASCII only (`local@domain`): `SMTPClient` refuses anything else before connecting.
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// An iCalendar invitation, sent both inline (calendar clients offer to accept it) and as an
/// `invite.ics` attachment (for webmails that ignore the inline part).
public struct CalendarInvitation: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    public var method: Method
    /// The whole `VCALENDAR` text as built by the caller; its `METHOD` should match `method`.
    public var ics: String

    public init(method: Method, ics: String) {
        self.method = method
        self.ics = ics
    }
}
