import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// A browser on one host of the live application: keeps its cookies, reads the CSRF token of
/// the last page, and sends forms as a browser does.
public actor Browser {
    let app: LiveApp
    public let host: String
    public private(set) var cookies: [String: String] = [:]
    public private(set) var csrf: String?

    public init(app: LiveApp, host: String) {
        self.app = app
        self.host = host
    }

    @discardableResult
    public func get(_ path: String) async throws -> TestClient.Response {
        try await send(.init(path, method: .get, authority: host, headers: cookieHeader()))
    }

    /// Posts `fields` (url-encoded), adding the CSRF token of the last page unless `csrf` is given.
    @discardableResult
    public func post(_ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> TestClient.Response {
        var fields = fields
        if fields["csrf"] == nil { fields["csrf"] = csrf ?? self.csrf ?? "" }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers = cookieHeader()
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(.init(path, method: .post, authority: host, headers: headers, body: ByteBuffer(string: body)))
    }

    public func setCookie(_ name: String, _ value: String) {
        cookies[name] = value
    }

    public func copyCookies(from other: Browser) async {
        cookies = await other.cookies
    }

    private func send(_ request: TestClient.Request) async throws -> TestClient.Response {
        let response = try await TestClient.withClient(host: "127.0.0.1", port: app.port, configuration: .patient) { client in
            try await client.execute(request)
        }
        for header in response.headers[values: .setCookie] {
            let attributes = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || attributes.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let text = response.text
        if let range = text.range(of: #"name="csrf" value=""#) {
            let rest = text[range.upperBound...]
            csrf = rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return response
    }

    private func cookieHeader() -> HTTPFields {
        guard !cookies.isEmpty else { return [:] }
        return [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
