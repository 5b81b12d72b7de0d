/// Where in the SMTP dialogue something went wrong; it tells apart a recipient refused
/// (`recipient`) from a sender or account problem (`mailFrom`, `authentication`).
public enum SMTPStage: String, Sendable, Hashable, CustomStringConvertible {
    case connect
    case greeting
    case hello = "EHLO"
    case startTLS = "STARTTLS"
    case authentication = "AUTH"
    case mailFrom = "MAIL FROM"
    case recipient = "RCPT TO"
    case data = "DATA"
    /// After the final `.`: the server may have taken the message even if we saw no reply.
    case endOfData = "end of DATA"

    public var description: String { rawValue }
}
