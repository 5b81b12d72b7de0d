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

    /// The convention period of every member, by registry id.
    public func conventionPeriods() async throws -> [Int: Period] {
        let rows = try await connection.query(
            "SELECT tenant_id, convention_start::text, convention_end::text FROM shared.memberships"
        )
        var periods: [Int: Period] = [:]
        for try await (id, start, end) in rows.decode((Int, String?, String?).self) {
            periods[id] = Period(start: start, end: end)
        }
        return periods
    }
}
