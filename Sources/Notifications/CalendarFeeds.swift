import Foundation
import Identity
import Tenancy

/// An agent's secret calendar feed, from their account page: create, regenerate, revoke, choose
/// whether usagers' names show. Each use case acts on the signed-in agent's own feed only (there
/// is no id to aim at another's) and is audited in the same transaction.
public struct CalendarFeeds: Sendable {
    let connection: TenantConnection
    let agentID: UUID
    let ip: String?

    public init(_ connection: TenantConnection, agentID: UUID, ip: String?) {
        self.connection = connection
        self.agentID = agentID
        self.ip = ip
    }

    /// A new token for the agent's feed (created, or regenerated: the former address dies now).
    /// - Parameter includeNames: nil keeps the current choice (off for a new feed).
    public func issue(includeNames: Bool? = nil) async throws -> (token: SecretToken, regenerated: Bool) {
        let repository = CalendarFeedRepository(connection)
        let existed = try await repository.state(of: agentID) != nil
        let token = SecretToken.generate()
        try await repository.replaceToken(of: agentID, with: token, includeNames: includeNames)
        try await AuditLog(connection).record(existed ? .calendarFeedRegenerated : .calendarFeedCreated, actor: agentID, subject: agentID, ip: ip)
        return (token, existed)
    }

    /// Deletes the feed; false when there was none.
    @discardableResult
    public func revoke() async throws -> Bool {
        guard try await CalendarFeedRepository(connection).delete(of: agentID) else { return false }
        try await AuditLog(connection).record(.calendarFeedRevoked, actor: agentID, subject: agentID, ip: ip)
        return true
    }

    /// Whether the feed names usagers; false when there is no feed.
    @discardableResult
    public func setIncludesNames(_ on: Bool) async throws -> Bool {
        guard try await CalendarFeedRepository(connection).setIncludesNames(on, of: agentID) else { return false }
        try await AuditLog(connection).record(.calendarFeedNamesChanged, actor: agentID, subject: agentID, ip: ip)
        return true
    }
}
