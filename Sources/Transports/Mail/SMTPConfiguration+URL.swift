import Foundation

extension SMTPConfiguration {
    /// Reads `smtp://user:password@host:587?security=starttls&helo=rdv.example&ca=/path/ca.pem`
    /// (`smtps://` for implicit TLS; `security` is `starttls`, `tls` or `plain`); nil when it is not one.
    public init?(url text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["smtp", "smtps"].contains(scheme),
              let host = components.host, !host.isEmpty
        else { return nil }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        let security: Security
        switch query["security"] ?? (scheme == "smtps" ? "tls" : "starttls") {
        case "starttls": security = .startTLS
        case "tls": security = .implicitTLS
        case "plain": security = .plain
        default: return nil
        }
        let credentials = components.user.map {
            Credentials(username: $0.removingPercentEncoding ?? $0, password: components.password?.removingPercentEncoding ?? "")
        }
        self.init(
            host: host, port: components.port, security: security, credentials: credentials, heloName: query["helo"] ?? host,
            trustRoots: query["ca"].map { .certificateFile($0) } ?? .system
        )
    }
}
