import Foundation

/// One appointment as an iCalendar object (RFC 5545): times in UTC, a stable UID, text escaped
/// and lines folded at 75 octets, CRLF line ends.
public struct CalendarEvent: Sendable, Hashable {
    public enum Method: String, Sendable {
        /// A file to add to one's calendar.
        case publish = "PUBLISH"
        /// An invitation, or its update.
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    public var uid: String
    public var sequence: Int
    public var start: Date
    public var end: Date
    public var summary: String
    public var location: String
    public var description: String
    public var url: String?
    /// Cancelled in a feed (a cancellation message says so through its method instead).
    public var cancelled = false
    /// DTSTAMP when it must not be the time of writing: a feed's events carry their last change,
    /// so that an unchanged feed reads the same and keeps its ETag.
    public var stamp: Date?
    /// Whether the time shows as busy (TRANSP); a plage d'ouverture is open time, not busy.
    public var busy = true

    public init(uid: String, sequence: Int = 0, start: Date, end: Date, summary: String, location: String, description: String, url: String? = nil) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.url = url
    }

    public func ics(method: Method = .publish, now: Date = Date()) -> String {
        Self.document(["METHOD:\(method.rawValue)"], events: [self], cancelled: method == .cancel, now: now)
    }

    /// A VCALENDAR of `events`, with `header` lines (METHOD, a feed's name…) before them.
    /// - Parameter cancelled: every event is cancelled (a CANCEL message), whatever its own flag says.
    public static func document(_ header: [String], events: [CalendarEvent], cancelled: Bool = false, now: Date = Date()) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//RDV Solidarites consortium//Prise de rendez-vous//FR", "CALSCALE:GREGORIAN"]
        lines += header
        for event in events { lines += event.lines(cancelled: cancelled || event.cancelled, now: now) }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    func lines(cancelled: Bool, now: Date) -> [String] {
        var lines = [
            "BEGIN:VEVENT",
            "UID:\(Self.escape(uid))", "SEQUENCE:\(sequence)", "DTSTAMP:\(Self.utc(stamp ?? now))",
            "DTSTART:\(Self.utc(start))", "DTEND:\(Self.utc(end))",
            "SUMMARY:\(Self.escape(summary))", "LOCATION:\(Self.escape(location))", "DESCRIPTION:\(Self.escape(description))",
            "STATUS:\(cancelled ? "CANCELLED" : "CONFIRMED")",
        ]
        // A cancelled appointment no longer makes its agent busy.
        if cancelled || !busy { lines.append("TRANSP:TRANSPARENT") }
        if let url { lines.append("URL:\(url)") }
        lines.append("END:VEVENT")
        return lines
    }

    /// The UID of an appointment in every calendar object about it (the invitations attached to
    /// emails, the `.ics` download, the agents' feeds): one calendar keeps one event for it.
    public static func appointmentUID(_ rdvID: UUID, tenantSlug: String) -> String {
        "\(rdvID.uuidString.lowercased())@\(tenantSlug)"
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Folds a content line into pieces of at most 75 octets, never inside a UTF-8 character.
    static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }
}
