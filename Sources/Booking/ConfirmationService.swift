import Foundation
import Logging
import Notifications
import ServiceLifecycle
import Tenancy

/// Runs the confirmation deadlines of every served département each minute, inside `rdv
/// serve` and `rdv worker`. Several may run: each appointment is looked at again under lock,
/// so an overlap never acts twice on one.
public struct ConfirmationService: Service {
    let database: Database
    let links: @Sendable (Tenant) -> NoticeLinks
    let interval: Duration
    let logger: Logger

    public init(database: Database, interval: Duration = .seconds(60), links: @escaping @Sendable (Tenant) -> NoticeLinks, logger: Logger) {
        self.database = database
        self.links = links
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Waiting first lets the database pools start (they run as sibling services).
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await passDue(now: Date())
            }
        }
    }

    /// One pass over the served départements; what it did per département.
    @discardableResult
    public func passDue(now: Date) async -> [String: Confirmations.PassCounts] {
        var done: [String: Confirmations.PassCounts] = [:]
        let tenants: [Tenant]
        do { tenants = try await database.registeredTenants().filter { $0.status.isServed } } catch {
            logger.warning("confirmations: départements unreadable", metadata: ["error": .string(String(reflecting: type(of: error)))])
            return done
        }
        for tenant in tenants {
            do {
                let links = self.links(tenant)
                let counts = try await database.tenant(tenant).transaction { connection in
                    try await Confirmations(connection, tenant: tenant, links: links, now: now).passDeadlines()
                }
                if counts != Confirmations.PassCounts() {
                    logger.info("confirmation deadlines", metadata: [
                        "tenant": .string(tenant.slug), "flagged": "\(counts.flagged)", "reminded": "\(counts.reminded)",
                        "warned": "\(counts.warned)", "released": "\(counts.released)",
                    ])
                }
                done[tenant.slug] = counts
            } catch {
                logger.error("confirmation pass failed", metadata: ["tenant": .string(tenant.slug), "error": .string(String(reflecting: type(of: error)))])
            }
        }
        return done
    }
}
