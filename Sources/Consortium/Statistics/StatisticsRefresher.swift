import Foundation
import Logging
import Tenancy

/// Brings the consortium's statistics up to date, département by département: each one's counts
/// are read in its own transaction (its role, its schema), then written into `shared` in
/// another, so départements may sit on different database nodes.
///
/// Incremental by default: only the days whose rows changed since the département's watermark
/// are recounted. Rows deleted later (retention) change no day, so history stays. `full`
/// recounts every day that still has rows, and keeps the days that have none; within a day,
/// each source (appointments created, appointments held, messages sent, offers made) that has
/// no row left keeps its stored counts.
public struct StatisticsRefresher: Sendable {
    /// What one département's refresh recounted.
    public struct Outcome: Sendable, Hashable {
        public let tenantID: Int
        /// ISO days recounted, in order.
        public let days: [String]
        /// ISO first days of the months whose distinct counts were recounted.
        public let months: [String]
    }

    let database: Database
    /// How far before the watermark changes are looked for again: a transaction that began
    /// before the last run and committed after it wrote earlier timestamps than its watermark.
    let overlap: TimeInterval
    let logger: Logger

    public init(database: Database, overlap: TimeInterval = 300, logger: Logger) {
        self.database = database
        self.overlap = overlap
        self.logger = logger
    }

    /// Refreshes every registered département, `parallel` at a time (each holds a connection or
    /// two); one that fails is logged and the others still run. Returns the outcomes of those
    /// that succeeded, in registry order.
    @discardableResult
    public func refreshAll(full: Bool = false, parallel: Int = 4) async throws -> [Outcome] {
        let tenants = try await database.registeredTenants()
        var outcomes: [Int: Outcome] = [:]
        await withTaskGroup(of: (Int, Outcome?).self) { group in
            var next = tenants.startIndex
            func start() {
                guard next < tenants.endIndex else { return }
                let (index, tenant) = (next, tenants[next])
                next += 1
                group.addTask {
                    do {
                        return (index, try await refresh(tenant, full: full))
                    } catch {
                        logger.error("statistics refresh failed", metadata: ["tenant": .string(tenant.slug), "error": .string(String(reflecting: error))])
                        return (index, nil)
                    }
                }
            }
            for _ in 0..<max(1, parallel) { start() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                start()
            }
        }
        return outcomes.keys.sorted().compactMap { outcomes[$0] }
    }

    public func refresh(_ tenant: Tenant, full: Bool = false) async throws -> Outcome {
        let watermark = try await database.shared.transaction { try await StatisticsStore($0).watermark(of: tenant.id) }
        let since = watermark.map { $0.addingTimeInterval(-overlap) }
        let read = try await database.tenant(tenant).transaction { connection in
            let collector = StatisticsCollector(connection: connection, timeZone: tenant.timeZone)
            let now = try await collector.now()
            let days = if full || since == nil { try await collector.allDays() } else { try await collector.changedDays(since: since!) }
            let months = Array(Set(days.map { String($0.prefix(7)) + "-01" })).sorted()
            guard !days.isEmpty else { return Read(now: now, days: [:], lead: [], months: [], activity: try await collector.activity()) }
            return Read(
                now: now, days: try await collector.dayCounts(days), lead: try await collector.leadDays(days),
                months: try await collector.monthCounts(months), activity: try await collector.activity()
            )
        }
        let days = read.days.keys.sorted()
        let written = try await database.shared.transaction { connection in
            let store = StatisticsStore(connection)
            guard try await store.advance(tenant.id, to: read.now, days: days.count, full: full) else { return false }
            try await store.write(tenant.id, days: read.days)
            try await store.write(tenant.id, leadDays: read.lead)
            try await store.write(tenant.id, months: read.months)
            try await store.write(tenant.id, activity: read.activity)
            return true
        }
        if !written { logger.notice("statistics refresh superseded by a later run", metadata: ["tenant": .string(tenant.slug)]) }
        return Outcome(tenantID: tenant.id, days: written ? days : [], months: written ? read.months.map { $0.0 } : [])
    }

    private struct Read: Sendable {
        let now: Date
        let days: [String: [Int?]]
        let lead: [(String, Int, Int)]
        let months: [(String, Int, Int, Int)]
        let activity: DepartementActivity.Counts
    }
}
