/// Why a send failed. `isTemporary` tells the outbox whether to try again later; the
/// description names the stage and reply code only, never an address or the server's text
/// (which often repeats the recipient).
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// An address with a line break, angle bracket, space or non-ASCII character.
        case invalidAddress
        /// The CA certificate file given in the configuration could not be loaded.
        case invalidTrustRoots
        /// Refused, unreachable, or the name did not resolve.
        case connectionFailed
        /// The server closed the connection before the dialogue ended.
        case connectionClosed
        case timedOut
        case tlsFailed
        /// STARTTLS is required by the configuration but the server does not offer it.
        case startTLSUnavailable
        /// Credentials are configured but the server offers neither AUTH PLAIN nor LOGIN.
        case authenticationUnavailable
        case malformedReply
        /// The server answered with this code (and RFC 3463 enhanced code when it gave one).
        case rejected(code: Int, enhancedCode: String?)
    }

    public let reason: Reason
    public let stage: SMTPStage

    public init(_ reason: Reason, at stage: SMTPStage) {
        self.reason = reason
        self.stage = stage
    }

    /// Worth another attempt later: 4xx replies and anything network or TLS, which may be
    /// passing (a missing STARTTLS may be an on-path attacker stripping it). 5xx replies and
    /// our own bad input would fail the same way again.
    public var isTemporary: Bool {
        switch reason {
        case .rejected(let code, _): code < 500
        case .invalidAddress, .invalidTrustRoots, .authenticationUnavailable: false
        case .connectionFailed, .connectionClosed, .timedOut, .tlsFailed, .startTLSUnavailable, .malformedReply: true
        }
    }

    /// The server as a whole is failing, not this message: it cannot be reached, drops or stalls
    /// the dialogue, answers 421 (closing), or defers before any recipient is named. The next
    /// message would meet the same, so the worker rests the channel. A 4xx about one recipient
    /// or one message (greylisting, a full mailbox) is not.
    public var isServerWide: Bool {
        switch reason {
        case .rejected(let code, _):
            code == 421 || (code < 500 && [.connect, .greeting, .hello, .startTLS, .authentication, .mailFrom].contains(stage))
        case .connectionFailed, .connectionClosed, .timedOut, .tlsFailed, .startTLSUnavailable, .malformedReply: true
        case .invalidAddress, .invalidTrustRoots, .authenticationUnavailable: false
        }
    }

    /// The message was fully sent but its acceptance never came back: a retry may deliver
    /// it twice, which the stable `Message-ID` lets the receiving side recognise.
    public var mayHaveBeenDelivered: Bool {
        stage == .endOfData && isTemporary && {
            if case .rejected = reason { return false }
            return true
        }()
    }

    public var description: String {
        let what =
            switch reason {
            case .invalidAddress: "invalid address"
            case .invalidTrustRoots: "CA certificate file unreadable"
            case .connectionFailed: "connection failed"
            case .connectionClosed: "connection closed by the server"
            case .timedOut: "timed out"
            case .tlsFailed: "TLS failed"
            case .startTLSUnavailable: "STARTTLS required but not offered"
            case .authenticationUnavailable: "no AUTH PLAIN or LOGIN offered"
            case .malformedReply: "malformed reply"
            case .rejected(let code, let enhanced): "rejected with \(code)" + (enhanced.map { " \($0)" } ?? "")
            }
        return "SMTP \(what) at \(stage) (\(isTemporary ? "temporary" : "permanent"))"
    }
}
