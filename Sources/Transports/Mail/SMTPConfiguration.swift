/// How to reach the relay that sends the platform's mail.
public struct SMTPConfiguration: Sendable {
    public enum Security: Sendable, Hashable {
        /// No encryption: only for a relay on the same host or private network (any
        /// credentials then travel in clear).
        case plain
        /// Plain connection upgraded with STARTTLS; the send fails if the server does not offer it.
        case startTLS
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    /// The certificates a server's chain must lead to.
    public enum TrustRoots: Sendable, Hashable {
        case system
        /// A PEM file of CA certificates (tests, or a relay with a private CA).
        case certificateFile(String)
    }

    /// Login for AUTH PLAIN or LOGIN; its description hides the password.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "Credentials(username: \(username), password: ***)" }
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: Credentials?
    /// The name we give in EHLO: the public name of the sending host.
    public var heloName: String
    public var connectTimeout: Duration
    /// How long to wait for each reply of the server.
    public var replyTimeout: Duration
    public var trustRoots: TrustRoots

    /// `port` defaults to 25 for `.plain`, 587 for `.startTLS`, 465 for `.implicitTLS`.
    public init(
        host: String, port: Int? = nil, security: Security = .startTLS, credentials: Credentials? = nil, heloName: String,
        connectTimeout: Duration = .seconds(10), replyTimeout: Duration = .seconds(60), trustRoots: TrustRoots = .system
    ) {
        self.host = host
        self.port = port ?? {
            switch security {
            case .plain: 25
            case .startTLS: 587
            case .implicitTLS: 465
            }
        }()
        self.security = security
        self.credentials = credentials
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
        self.trustRoots = trustRoots
    }
}
