import Foundation
import Notifications
import TestSupport
@testable import Tenancy

extension CrossDepartement {
    /// The agent's secret calendar feed, with usagers' names (which carry the mark) in it.
    func withCalendarFeed(_ world: TestWorld) async throws -> CrossDepartement {
        var copy = self
        let agentID = agent.id
        copy.targets.calendarFeedToken = try await world.database.tenant(tenant).transaction { connection in
            try await CalendarFeeds(connection, agentID: agentID, ip: nil).issue(includeNames: true).token.value
        }
        return copy
    }
}
