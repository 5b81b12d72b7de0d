import Agenda
import Foundation
import Logging
import ServiceLifecycle
import Tenancy

/// Runs retention over every served département: at start, then every hour it checks which
/// départements have had no pass for `spacing` (a day by default) and runs theirs. Several
/// workers may run it: a département's pass starts only where its last one is old enough, and
/// the rules are idempotent, so a rare overlap only splits the counts between two runs.
public struct RetentionService: Service {
    let database: Database
    let signInURL: @Sendable (Tenant) -> String
    let spacing: TimeInterval
    let logger: Logger

    public init(database: Database, spacing: TimeInterval = 86_400 - 600, signInURL: @escaping @Sendable (Tenant) -> String, logger: Logger) {
        self.database = database
        self.signInURL = signInURL
        self.spacing = spacing
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await passDue(now: Date())
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }

    /// One pass for each served département whose last one is older than `spacing`.
    @discardableResult
    public func passDue(now: Date) async -> [String: RetentionCounts] {
        var done: [String: RetentionCounts] = [:]
        let tenants: [Tenant]
        do { tenants = try await database.registeredTenants().filter { $0.status.isServed } } catch {
            logger.error("retention: départements unreadable", metadata: ["error": .string(String(reflecting: error))])
            return done
        }
        for tenant in tenants {
            var logger = logger
            logger[metadataKey: "tenant"] = .string(tenant.slug)
            let retention = Retention(database: database.tenant(tenant))
            do {
                if let last = try await retention.recentRuns(limit: 1).first?.ranAt, now.timeIntervalSince(last) < spacing { continue }
                let notice = Retention.Notice(departement: tenant.name, signInURL: signInURL(tenant), clock: tenant.clock)
                done[tenant.slug] = try await retention.apply(now: now, notice: notice, logger: logger)
            } catch {
                logger.error("retention pass failed", metadata: ["error": .string(String(reflecting: error))])
            }
        }
        return done
    }
}
