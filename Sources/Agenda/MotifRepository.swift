import Foundation
import PostgresNIO
import Tenancy

/// Motifs with every rule: read one, create, change, archive.
public struct MotifRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// A motif's organisation, rules and archive state; nil when this département has no such motif.
    public func find(_ motifID: UUID) async throws -> (organisationID: UUID, rules: MotifRules, archived: Bool)? {
        let rows = try await connection.query(
            """
            SELECT organisation_id, name, service_id, color, duration_minutes, location_type, video_link_template,
                   min_booking_delay_minutes, max_booking_delay_minutes, bookable_by, collective, default_capacity,
                   cancellable_by_usager, cancellation_deadline_minutes, movable_by_usager, move_deadline_minutes,
                   follow_up_only, instructions_before, instructions_after, sensitive, archived_at IS NOT NULL, several_upcoming_allowed,
                   confirmation_request_hours, confirmation_deadline_hours, unconfirmed_action, release_sensitive
            FROM motifs WHERE id = \(motifID)
            """
        )
        for try await row in rows {
            let columns = row.makeRandomAccess()
            var rules = MotifRules(
                name: try columns[1].decode(String.self), serviceID: try columns[2].decode(UUID.self),
                durationMinutes: try columns[4].decode(Int.self)
            )
            rules.color = try columns[3].decode(String.self)
            rules.locationType = LocationType(rawValue: try columns[5].decode(String.self)) ?? .onSite
            rules.videoLinkTemplate = try columns[6].decode(String.self)
            rules.minimumDelayMinutes = try columns[7].decode(Int.self)
            rules.maximumDelayMinutes = try columns[8].decode(Int.self)
            rules.bookableBy = BookableBy(rawValue: try columns[9].decode(String.self)) ?? .agents
            rules.collectiveCapacity = try columns[10].decode(Bool.self) ? try columns[11].decode(Int?.self) : nil
            rules.cancellableByUsager = try columns[12].decode(Bool.self)
            rules.cancellationDeadlineMinutes = try columns[13].decode(Int.self)
            rules.movableByUsager = try columns[14].decode(Bool.self)
            rules.moveDeadlineMinutes = try columns[15].decode(Int.self)
            rules.followUpOnly = try columns[16].decode(Bool.self)
            rules.instructionsBefore = try columns[17].decode(String.self)
            rules.instructionsAfter = try columns[18].decode(String.self)
            rules.sensitive = try columns[19].decode(Bool.self)
            rules.severalUpcomingAllowed = try columns[21].decode(Bool.self)
            if let requestHours = try columns[22].decode(Int?.self) {
                rules.confirmation = ConfirmationRule(
                    requestHours: requestHours, deadlineHours: try columns[23].decode(Int.self),
                    unconfirmedAction: UnconfirmedAction(rawValue: try columns[24].decode(String.self)) ?? .flag,
                    releaseSensitive: try columns[25].decode(Bool.self)
                )
            }
            return (try columns[0].decode(UUID.self), rules, try columns[20].decode(Bool.self))
        }
        return nil
    }

    /// A new motif; nil when the organisation already has one of that name.
    public func create(organisationID: UUID, _ rules: MotifRules) async throws -> UUID? {
        for try await id in try await connection.query(
            """
            INSERT INTO motifs (organisation_id, service_id, name, duration_minutes)
            VALUES (\(organisationID), \(rules.serviceID), \(rules.name), \(rules.durationMinutes))
            ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id
            """
        ).decode(UUID.self) {
            try await update(id, rules)
            return id
        }
        return nil
    }

    /// Changes every rule; false when another motif of the organisation has the new name.
    @discardableResult
    public func update(_ motifID: UUID, _ rules: MotifRules) async throws -> Bool {
        // Checked first: a unique violation would abort the caller's whole transaction.
        let clash = try await connection.query(
            """
            SELECT 1 FROM motifs other JOIN motifs this ON this.id = \(motifID)
            WHERE other.organisation_id = this.organisation_id AND other.name = \(rules.name) AND other.id <> this.id
            """
        )
        for try await _ in clash { return false }
        do {
            try await connection.query(
                """
                UPDATE motifs SET name = \(rules.name), service_id = \(rules.serviceID), color = \(rules.color),
                    duration_minutes = \(rules.durationMinutes), location_type = \(rules.locationType.rawValue),
                    video_link_template = \(rules.videoLinkTemplate),
                    min_booking_delay_minutes = \(rules.minimumDelayMinutes), max_booking_delay_minutes = \(rules.maximumDelayMinutes),
                    bookable_by = \(rules.bookableBy.rawValue), online_booking = \(rules.bookableBy != .agents),
                    collective = \(rules.collectiveCapacity != nil), default_capacity = \(rules.collectiveCapacity),
                    cancellable_by_usager = \(rules.cancellableByUsager), cancellation_deadline_minutes = \(rules.cancellationDeadlineMinutes),
                    movable_by_usager = \(rules.movableByUsager), move_deadline_minutes = \(rules.moveDeadlineMinutes),
                    follow_up_only = \(rules.followUpOnly), instructions_before = \(rules.instructionsBefore),
                    instructions_after = \(rules.instructionsAfter), sensitive = \(rules.sensitive),
                    several_upcoming_allowed = \(rules.severalUpcomingAllowed),
                    confirmation_request_hours = \(rules.confirmation?.requestHours),
                    confirmation_deadline_hours = \(rules.confirmation?.deadlineHours ?? 24),
                    unconfirmed_action = \(rules.confirmation?.unconfirmedAction.rawValue ?? "flag"),
                    release_sensitive = \(rules.confirmation?.releaseSensitive ?? false)
                WHERE id = \(motifID)
                """
            )
            return true
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return false
        }
    }

    /// An archived motif leaves plages, searches and forms; its past appointments keep it.
    public func setArchived(_ motifID: UUID, _ archived: Bool) async throws {
        try await connection.query(
            "UPDATE motifs SET archived_at = CASE WHEN \(archived) THEN coalesce(archived_at, now()) END WHERE id = \(motifID)"
        )
    }
}
