import PostgresNIO
@testable import Tenancy

extension OwnerDatabase {
    /// A query as the owner role, for tests that inspect what migrations did.
    public func ownerQuery(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }
}

extension Database {

    /// A query as the application's login role, outside any tenant transaction.
    public func appQuery(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await appClient.query(query, logger: logger).collect()
    }
}
