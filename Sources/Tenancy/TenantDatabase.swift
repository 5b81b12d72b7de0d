import Logging
import PostgresNIO

/// Where SQL runs inside a transaction: a département's (`TenantConnection`) or the
/// consortium's (`SharedConnection`). Code that works the same on both takes this.
public protocol SQLSession: Sendable {
    @discardableResult
    func query(_ query: PostgresQuery, file: String, line: Int) async throws -> PostgresRowSequence
}

extension SQLSession {
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await self.query(query, file: file, line: line)
    }
}

/// A database that runs work in transactions of one kind of session.
public protocol TransactionalDatabase: Sendable {
    associatedtype Session: SQLSession
    func transaction<T: Sendable>(_ body: @Sendable (Session) async throws -> T) async throws -> T
}

/// The only way to run SQL on a département's data: one transaction whose first statements
/// confine it to the département's schema and role.
public struct TenantDatabase: TransactionalDatabase {
    let client: DatabasePool
    public let schema: String
    public let role: String
    let tenantSlug: String
    let logger: Logger

    /// Runs `body` in a transaction with `search_path` set to the département's schema alone and
    /// the département's role in force. Both are `LOCAL`: they end with the transaction, so the
    /// pooled connection carries nothing to its next user.
    ///
    /// JIT compilation is off too, in the same statement: every query here is short, but on a
    /// large département the planner's estimates cross `jit_above_cost`, and compiling then took
    /// 50 to 600 ms of a query that runs in 5 (the statistics' day counts, measured by
    /// `scripts/bench-stats`). Set per transaction rather than at connection start so that a
    /// transaction-mode pooler in front of PostgreSQL keeps it.
    @discardableResult
    public func transaction<T: Sendable>(
        _ body: @Sendable (TenantConnection) async throws -> T
    ) async throws -> T {
        var tenantLogger = self.logger
        tenantLogger[metadataKey: "tenant"] = .string(tenantSlug)
        let logger = tenantLogger
        let schema = self.schema
        let setRole = PostgresQuery(unsafeSQL: "SET LOCAL ROLE \(quoted(role))")
        return try await client.leaseObserved { connection in
            try await connection.inTransaction(logger: logger) {
                try await connection.query("SELECT set_config('search_path', \(schema), true), set_config('jit', 'off', true)", logger: logger)
                try await connection.query(setRole, logger: logger)
                return try await body(TenantConnection(connection: connection, logger: logger))
            }
        }
    }
}

/// A connection lent for the span of one tenant transaction.
public struct TenantConnection: SQLSession {
    let connection: PostgresConnection
    public let logger: Logger

    @discardableResult
    public func query(_ query: PostgresQuery, file: String, line: Int) async throws -> PostgresRowSequence {
        try connection.ensureOpen()
        return try await connection.query(query, logger: logger, file: file, line: line)
    }
}

/// Work on schema `shared` as the application's login role, which holds no département's
/// rights (NOINHERIT): only what the shared migrations granted it there.
public struct SharedDatabase: TransactionalDatabase, SQLSession {
    let client: DatabasePool
    let logger: Logger

    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger, file: file, line: line)
    }

    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable (SharedConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.leaseObserved { connection in
            try await connection.inTransaction(logger: logger) {
                try await body(SharedConnection(connection: connection, logger: logger))
            }
        }
    }
}

extension SharedDatabase {
    /// Every registered département.
    public func registeredTenants() async throws -> [Tenant] {
        try await TenantRegistry.load(from: self)
    }
}

/// A connection lent for the span of one transaction on schema `shared`.
public struct SharedConnection: SQLSession {
    let connection: PostgresConnection
    public let logger: Logger

    @discardableResult
    public func query(_ query: PostgresQuery, file: String, line: Int) async throws -> PostgresRowSequence {
        try connection.ensureOpen()
        return try await connection.query(query, logger: logger, file: file, line: line)
    }
}

extension PostgresConnection {
    /// BEGIN … COMMIT, or ROLLBACK when `body` throws; the caller's error comes out unwrapped.
    func inTransaction<T: Sendable>(logger: Logger, _ body: @Sendable () async throws -> T) async throws -> T {
        try ensureOpen()
        try await query("BEGIN", logger: logger)
        do {
            let value = try await body()
            try ensureOpen()
            try await query("COMMIT", logger: logger)
            return value
        } catch {
            if !isClosed { _ = try? await query("ROLLBACK", logger: logger) }
            throw error
        }
    }
}
