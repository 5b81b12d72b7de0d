import Foundation
import Hummingbird
import Notifications
import Tenancy

/// `GET /calendrier/<token>.ics`: an agent's secret feed, read by calendar applications without a
/// session. The token is the only credential: an unknown, revoked or foreign one, or a
/// deactivated agent's, gets the page any unknown address gets. No log line names the path.
struct CalendarFeedRoutes: Sendable {
    let services: IdentityServices

    /// Longer than any token the platform issues (43 characters): refused before hashing.
    static let maximumTokenLength = 100

    func register(on router: Router<TenantRequestContext>) {
        router.get("/calendrier/{token}.ics") { request, context in
            try await feed(request, context)
        }
    }

    private func feed(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard !token.isEmpty, token.count <= Self.maximumTokenLength else { throw PublicError.pageNotFound }
        let publicURL = services.configuration.publicURL(slug: context.tenant.slug)
        let tenant = context.tenant
        guard let document = try await context.database.transaction({ connection in
            try await AgentCalendarFeed(connection, tenant: tenant, publicURL: publicURL).document(token: token)
        }) else { throw PublicError.pageNotFound }
        var headers: HTTPFields = [.eTag: document.etag, .cacheControl: "private, max-age=300"]
        if Self.matches(request.headers[.ifNoneMatch], document.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.contentDisposition] = "inline; filename=\"agenda.ics\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.body)))
    }

    /// If-None-Match with the weak comparison RFC 9110 asks for on GET.
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        let strip = { (tag: Substring) -> Substring in tag.hasPrefix("W/") ? tag.dropFirst(2) : tag }
        return header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces)[...] }.contains { $0 == "*" || strip($0) == strip(etag[...]) }
    }
}
