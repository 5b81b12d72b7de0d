import Notifications
import Hummingbird
import Identity
import Tenancy

/// Development only: the emails the platform would have sent for this département.
struct DevMailboxRoutes: Sendable {
    let pages: TenantPages

    func register(on router: Router<TenantRequestContext>) {
        router.get("/dev/courriels") { request, context in
            let emails = try await context.database.transaction { connection in
                try await MessageLog(connection).recent()
            }
            return pages.render("dev_mailbox", [
                "pageTitle": "Messages de développement – \(context.tenant.name)",
                "emails": emails.map { ["to": $0.recipient, "subject": $0.subject, "body": $0.body, "sms": $0.channel == "sms", "state": $0.state] },
            ], request: request, tenant: context.tenant, agent: context.agent, sessionToken: context.sessionToken)
        }
    }
}
