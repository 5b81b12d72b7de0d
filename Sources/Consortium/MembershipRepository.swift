import PostgresNIO
import Tenancy

/// The consortium's memberships (schema `shared`): what each département's convention says.
public struct MembershipRepository: Sendable {
    /// A convention's first and last day, as ISO dates, when known.
    public struct Period: Sendable, Hashable {
        public let start: String?
        public let end: String?
    }

    let connection: SharedConnection

    public init(_ connection: SharedConnection) {
        self.connection = connection
    }

    /// The convention period of every member with a convention, by registry id: the convention
    /// in force today (Paris), else the latest to have started, else the next to start.
    public func conventionPeriods() async throws -> [Int: Period] {
        let today = ConsortiumCalendar.today().description
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (tenant_id) tenant_id, starts_on::text, ends_on::text FROM shared.conventions
            ORDER BY tenant_id, (starts_on <= \(today)::date AND ends_on >= \(today)::date) DESC,
                     (starts_on <= \(today)::date) DESC, starts_on DESC
            """
        )
        var periods: [Int: Period] = [:]
        for try await (id, start, end) in rows.decode((Int, String?, String?).self) {
            periods[id] = Period(start: start, end: end)
        }
        return periods
    }
}
