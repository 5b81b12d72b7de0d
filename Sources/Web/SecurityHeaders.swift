import HTTPTypes
import Hummingbird

/// Headers every response carries, whichever host and route produced it.
struct SecurityHeaders: Sendable {
    let secure: Bool

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    static let openerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!

    func apply(to response: inout Response) {
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "same-origin"
        response.headers[Self.permissionsPolicy] = "camera=(), microphone=(), geolocation=(), payment=()"
        response.headers[Self.openerPolicy] = "same-origin"
        if secure {
            response.headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains"
        }
    }
}
