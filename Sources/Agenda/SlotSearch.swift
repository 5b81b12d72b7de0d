import Foundation
import PostgresNIO
import Scheduling
import Tenancy

/// A free slot, with who receives and where.
public struct AvailableSlot: Sendable, Hashable {
    public let agentID: UUID
    public let lieuID: UUID
    public let range: TimeRange
}

/// Finds free slots of a motif across the département: loads what the pure engine needs in a
/// handful of queries, then lets `SlotEngine` do the rest in memory.
public struct SlotSearch: Sendable {
    let connection: TenantConnection
    let tenant: Tenant

    public init(_ connection: TenantConnection, tenant: Tenant) {
        self.connection = connection
        self.tenant = tenant
    }

    /// What every horizon of one search shares, read once.
    struct Material {
        let clock: WallClock
        let duration: Int
        let minimumDelay: Int
        let maximumDelay: Int
        /// Plages grouped by agent and lieu, in a fixed order so that equal times sort alike.
        let groups: [[Plage]]
        let agents: [UUID]
        let absences: [UUID: [RecurringSpan]]
        let holidays: Set<LocalDate>
        var lieux: Set<UUID> { Set(groups.map { $0[0].lieuID }) }
    }

    /// - Parameter agents: when given, only these agents' plages (a follow-up motif's referents).
    func material(motifID: UUID, now: Date, agents only: Set<UUID>? = nil) async throws -> Material? {
        guard let clock = WallClock(timeZone: tenant.timeZone) else { return nil }
        var version: UUID?
        for try await value in try await connection.query("SELECT version FROM agenda_version").decode(UUID.self) { version = value }
        let key = SlotMaterialCache.Key(schema: tenant.schemaName, motifID: motifID, agents: only, day: clock.localDate(of: now))
        if let version, let kept = SlotMaterialCache.shared.material(for: key, version: version) { return kept }
        let material = try await load(motifID: motifID, now: now, agents: only, clock: clock)
        if let version { SlotMaterialCache.shared.keep(material, for: key, version: version) }
        return material
    }

    private func load(motifID: UUID, now: Date, agents only: Set<UUID>?, clock: WallClock) async throws -> Material? {
        var motif: (duration: Int, minimum: Int, maximum: Int)?
        for try await row in try await connection.query(
            """
            SELECT duration_minutes, min_booking_delay_minutes, max_booking_delay_minutes
            FROM motifs WHERE id = \(motifID) AND archived_at IS NULL
            """
        ).decode((Int, Int, Int).self) { motif = row }
        guard let motif else { throw BookingError.motifUnavailable }
        let plages = try await PlageRepository(connection).offering(motifID: motifID).filter { only?.contains($0.agentID) ?? true }
        guard !plages.isEmpty else { return nil }
        let agents = Array(Set(plages.map(\.agentID)))
        let firstYear = clock.localDate(of: now).year
        let lastYear = clock.localDate(of: now.addingTimeInterval(TimeInterval(motif.maximum * 60 + 86_400))).year
        var holidays = Set<LocalDate>()
        for year in firstYear...lastYear { holidays.formUnion(Holidays.days(year: year, departement: tenant.code.value).keys) }
        return Material(
            clock: clock, duration: motif.duration, minimumDelay: motif.minimum, maximumDelay: motif.maximum,
            groups: Dictionary(grouping: plages) { "\($0.agentID)|\($0.lieuID)" }.sorted { $0.key < $1.key }.map(\.value),
            agents: agents, absences: try await AbsenceRepository(connection).spans(of: agents), holidays: holidays
        )
    }

    /// Busy times of the agents up to `end`: one row per agent with the bounds as arrays of epoch
    /// seconds, since decoding thousands of rows one by one cost more than the search itself.
    func busyTimes(of agents: [UUID], from now: Date, until end: Date) async throws -> [UUID: [TimeRange]] {
        var busy: [UUID: [TimeRange]] = [:]
        for try await (agent, starts, ends) in try await connection.query(
            """
            SELECT agent_id, array_agg(extract(epoch FROM lower(during))::float8), array_agg(extract(epoch FROM upper(during))::float8)
            FROM (
                SELECT agent_id, during FROM rdv_agents
                WHERE active AND agent_id = ANY(\(agents)) AND during && tstzrange(\(now), \(end))
                UNION ALL
                -- A slot held through the API is taken for everyone else until its hold lapses.
                SELECT agent_id, during FROM slot_holds
                WHERE expires_at > now() AND agent_id = ANY(\(agents)) AND during && tstzrange(\(now), \(end))
            ) busy
            GROUP BY agent_id
            """
        ).decode((UUID, [Double], [Double]).self) {
            busy[agent] = zip(starts, ends).map {
                TimeRange(start: Date(timeIntervalSince1970: $0.0), end: Date(timeIntervalSince1970: $0.1))
            }
        }
        return busy
    }

    /// Free slots up to `days` ahead (and the motif's own delays), soonest first.
    func run(_ material: Material, now: Date, days: Int, lieu: UUID? = nil) async throws -> [AvailableSlot] {
        let maximum = min(material.maximumDelay, days * 24 * 60)
        let agents = lieu.map { lieu in Array(Set(material.groups.filter { $0[0].lieuID == lieu }.map { $0[0].agentID })) } ?? material.agents
        let busy = try await busyTimes(of: agents, from: now, until: now.addingTimeInterval(TimeInterval(maximum * 60 + 86_400)))
        var slots: [(slot: AvailableSlot, group: Int)] = []
        // One engine run per agent and lieu: an agent's appointments and absences block all their plages.
        for (index, group) in material.groups.enumerated() where lieu == nil || group[0].lieuID == lieu {
            let agentID = group[0].agentID, lieuID = group[0].lieuID
            let query = SlotQuery(
                openings: group.map(\.span), absences: material.absences[agentID] ?? [], busy: busy[agentID] ?? [],
                holidays: material.holidays, durationMinutes: material.duration, minimumDelayMinutes: material.minimumDelay,
                maximumDelayMinutes: maximum, now: now, clock: material.clock
            )
            slots += SlotEngine.freeSlots(query).map { (AvailableSlot(agentID: agentID, lieuID: lieuID, range: $0), index) }
        }
        return slots.sorted { ($0.slot.range, $0.group) < ($1.slot.range, $1.group) }.map(\.slot)
    }

    /// Free slots within `days` (and the motif's own delays), soonest first. With `limit`, the
    /// search looks a week ahead first and goes further only when that week has too few.
    /// - Parameter lieu: only this lieu's plages.
    public func slots(
        motifID: UUID, now: Date, within days: Int? = nil, limit: Int? = nil, agents: Set<UUID>? = nil, lieu: UUID? = nil
    ) async throws -> [AvailableSlot] {
        let started = ContinuousClock.now
        defer { observe("search", since: started) }
        guard let material = try await material(motifID: motifID, now: now, agents: agents) else { return [] }
        let days = days ?? (material.maximumDelay / 1440 + 1)
        guard let limit else { return try await run(material, now: now, days: days, lieu: lieu) }
        let soon = try await run(material, now: now, days: min(days, 7), lieu: lieu)
        if soon.count >= limit || days <= 7 { return Array(soon.prefix(limit)) }
        return Array(try await run(material, now: now, days: days, lieu: lieu).prefix(limit))
    }

    /// The free times nearest to `start` (before or after), for a booking that just missed it.
    public func nearest(to start: Date, motifID: UUID, now: Date, agents: Set<UUID>? = nil, lieu: UUID? = nil, count: Int = 6) async throws -> [Date] {
        try await nearestSlots(to: start, motifID: motifID, now: now, agents: agents, lieu: lieu, count: count).map(\.range.start)
    }

    /// The same, with who receives: one slot per free time, soonest first.
    public func nearestSlots(to start: Date, motifID: UUID, now: Date, agents: Set<UUID>? = nil, lieu: UUID? = nil, count: Int = 6) async throws -> [AvailableSlot] {
        var seen = Set<Date>()
        let slots = try await slots(motifID: motifID, now: now, within: 42, agents: agents, lieu: lieu).filter { seen.insert($0.range.start).inserted }
        return Array(slots.sorted { abs($0.range.start.timeIntervalSince(start)) < abs($1.range.start.timeIntervalSince(start)) }.prefix(count))
            .sorted { $0.range.start < $1.range.start }
    }

    /// What a slot page shows: the first `limit` slots within `days`, and the first free slot of
    /// each lieu offering the motif, however far. The horizon grows (one week, three, `days`,
    /// as far as the motif allows) only while the page or some lieu still lacks slots.
    public func overview(
        motifID: UUID, now: Date, within days: Int, limit: Int, agents: Set<UUID>? = nil
    ) async throws -> (slots: [AvailableSlot], next: [UUID: Date]) {
        let started = ContinuousClock.now
        defer { observe("overview", since: started) }
        guard let material = try await material(motifID: motifID, now: now, agents: agents) else { return ([], [:]) }
        let lieux = material.lieux
        var first: [UUID: Date] = [:]
        var shown: [AvailableSlot]?
        let farthest = material.maximumDelay / 1440 + 1
        for horizon in Set([7, 21, days, farthest]).sorted() where horizon <= max(days, farthest) && (first.count < lieux.count || shown == nil) {
            let found = try await run(material, now: now, days: horizon)
            for slot in found where first[slot.lieuID] == nil { first[slot.lieuID] = slot.range.start }
            if shown == nil, found.count >= limit || horizon >= days {
                let end = now.addingTimeInterval(TimeInterval(days * 86_400))
                shown = Array(found.lazy.filter { $0.range.start <= end }.prefix(limit))
            }
        }
        return (shown ?? [], first)
    }

    /// Logs and measures one search (`rdv_slot_search_duration_seconds`, by département and kind).
    private func observe(_ kind: String, since started: ContinuousClock.Instant) {
        connection.logger.debug("slot \(kind)", metadata: ["duration": "\(ContinuousClock.now - started)"])
        MetricsTimer(label: "rdv_slot_search_duration_seconds", dimensions: [("departement", tenant.slug), ("kind", kind)])
            .recordInterval(since: started)
    }
}
