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

    /// Free slots within `days` (and the motif's own delays), soonest first. With `limit`, the
    /// search looks a week ahead first and goes further only when that week has too few: what a
    /// page shows is found without computing six weeks of slots.
    public func slots(motifID: UUID, now: Date, within days: Int? = nil, limit: Int? = nil) async throws -> [AvailableSlot] {
        guard let clock = WallClock(timeZone: tenant.timeZone) else { return [] }
        let started = ContinuousClock.now
        defer {
            connection.logger.debug("slot search", metadata: ["duration": "\(ContinuousClock.now - started)"])
        }
        var motif: (duration: Int, minimum: Int, maximum: Int)?
        for try await row in try await connection.query(
            """
            SELECT duration_minutes, min_booking_delay_minutes, max_booking_delay_minutes
            FROM motifs WHERE id = \(motifID) AND archived_at IS NULL
            """
        ).decode((Int, Int, Int).self) { motif = row }
        guard let motif else { throw BookingError.notFound }
        let maximum = min(motif.maximum, (days ?? Int.max / 2880) * 24 * 60)
        let plages = try await PlageRepository(connection).offering(motifID: motifID)
        connection.logger.debug("slot search: plages loaded", metadata: ["duration": "\(ContinuousClock.now - started)"])
        guard !plages.isEmpty else { return [] }
        let agents = Array(Set(plages.map(\.agentID)))
        let absences = try await AbsenceRepository(connection).spans(of: agents)
        let horizon = now.addingTimeInterval(TimeInterval(maximum * 60 + 86_400))
        // One row per agent with the bounds as arrays of epoch seconds: decoding thousands of
        // rows one by one cost more than the search itself.
        func busyTimes(until end: Date) async throws -> [UUID: [TimeRange]] {
            var busy: [UUID: [TimeRange]] = [:]
            for try await (agent, starts, ends) in try await connection.query(
                """
                SELECT agent_id, array_agg(extract(epoch FROM lower(during))::float8), array_agg(extract(epoch FROM upper(during))::float8)
                FROM rdv_agents
                WHERE active AND agent_id = ANY(\(agents)) AND during && tstzrange(\(now), \(end))
                GROUP BY agent_id
                """
            ).decode((UUID, [Double], [Double]).self) {
                busy[agent] = zip(starts, ends).map {
                    TimeRange(start: Date(timeIntervalSince1970: $0.0), end: Date(timeIntervalSince1970: $0.1))
                }
            }
            return busy
        }
        let firstYear = clock.localDate(of: now).year
        let lastYear = clock.localDate(of: horizon).year
        var holidays = Set<LocalDate>()
        for year in firstYear...lastYear { holidays.formUnion(Holidays.days(year: year, departement: tenant.code.value).keys) }

        // One engine run per agent and lieu: an agent's appointments and absences block all their plages.
        // Groups in a fixed order, so that equal times sort the same way at every call.
        let groups = Dictionary(grouping: plages) { "\($0.agentID)|\($0.lieuID)" }.sorted { $0.key < $1.key }.map(\.value)
        func search(upTo minutes: Int) async throws -> [AvailableSlot] {
            let busy = try await busyTimes(until: now.addingTimeInterval(TimeInterval(minutes * 60 + 86_400)))
            var slots: [(slot: AvailableSlot, group: Int)] = []
            for (index, group) in groups.enumerated() {
                let agentID = group[0].agentID, lieuID = group[0].lieuID
                let query = SlotQuery(
                    openings: group.map(\.span), absences: absences[agentID] ?? [], busy: busy[agentID] ?? [], holidays: holidays,
                    durationMinutes: motif.duration, minimumDelayMinutes: motif.minimum, maximumDelayMinutes: minutes, now: now, clock: clock
                )
                slots += SlotEngine.freeSlots(query).map { (AvailableSlot(agentID: agentID, lieuID: lieuID, range: $0), index) }
            }
            return slots.sorted { ($0.slot.range, $0.group) < ($1.slot.range, $1.group) }.map(\.slot)
        }
        guard let limit else { return try await search(upTo: maximum) }
        let firstWeek = min(maximum, max(motif.minimum + 1, 7 * 24 * 60))
        let soon = try await search(upTo: firstWeek)
        if soon.count >= limit || firstWeek == maximum { return Array(soon.prefix(limit)) }
        return Array(try await search(upTo: maximum).prefix(limit))
    }

    /// What a slot page shows: the first `limit` slots within `days`, and the first free slot of
    /// each lieu offering the motif, however far. One search serves both when the first week
    /// already has enough; the horizon grows (three weeks, then as far as the motif allows) only
    /// as far as some lieu still has no slot.
    public func overview(motifID: UUID, now: Date, within days: Int, limit: Int) async throws -> (slots: [AvailableSlot], next: [UUID: Date]) {
        let lieux = Set(try await PlageRepository(connection).offering(motifID: motifID).map(\.lieuID))
        var first: [UUID: Date] = [:]
        var shown: [AvailableSlot]?
        for horizon in [7, 21, days, 730].sorted() where first.count < lieux.count || shown == nil {
            let found = try await slots(motifID: motifID, now: now, within: horizon)
            for slot in found where first[slot.lieuID] == nil { first[slot.lieuID] = slot.range.start }
            if shown == nil, found.count >= limit || horizon >= days {
                shown = Array(found.filter { $0.range.start <= now.addingTimeInterval(TimeInterval(days * 86_400)) }.prefix(limit))
            }
        }
        return (shown ?? [], first)
    }
}
