/// What kind of refusal a domain error is. The web layer maps each kind to one HTTP status,
/// in one place, so features say what went wrong without knowing HTTP.
public enum Refusal: Sendable, Hashable {
    /// The thing asked for does not exist here (or belongs to another département).
    case notFound
    /// The request clashes with the current state (a slot just taken, a seat gone).
    case conflict
    /// The request is understood but its content is refused.
    case invalid
    case forbidden
    case tooManyRequests
    /// It existed but is no longer offered.
    case gone
}

/// An error of a feature whose words are meant for the person who made the request.
public protocol DomainError: Error, Sendable {
    var refusal: Refusal { get }
    /// A short French title (for the error page and the problem's `title`).
    var title: String { get }
    /// A French sentence saying what happened and what to do.
    var french: String { get }
}

/// An `INSERT … RETURNING` (or an upsert) that came back without its row: a fault of the
/// database or of our SQL, never of the user. It names what was being written.
public struct MissingReturnedRow: Error, Sendable, Hashable, CustomStringConvertible {
    public let what: String

    public init(_ what: String) {
        self.what = what
    }

    public var description: String { "no row returned while writing \(what)" }
}
