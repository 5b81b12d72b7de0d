import Crypto
import Foundation
import PostgresNIO
import Tenancy

/// The trail of API calls: one line per call with the token, the route pattern and the status
/// (never a body or a query string, which can hold personal data). It also counts a token's
/// calls for the rate limit, per minute of the clock.
public struct APICallLog: Sendable {
    public struct Entry: Sendable {
        public let occurredAt: Date
        public let method: String
        public let route: String
        public let status: Int
    }

    let connection: any SQLSession

    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    /// Writes one call. Its transaction commits without waiting for the WAL flush
    /// (`synchronous_commit` off, this transaction only): a crash of PostgreSQL may lose the
    /// trail of the last fraction of a second, never a booking, and a call does not wait twice on
    /// the disk. Call it in a transaction of its own.
    public func record(tokenID: UUID, method: String, route: String, status: Int, ip: String?) async throws {
        try await connection.query("SET LOCAL synchronous_commit = off")
        try await connection.query(
            "INSERT INTO api_calls (token_id, method, route, status, ip) VALUES (\(tokenID), \(method), \(route), \(status), \(ip)::inet)"
        )
    }

    /// The calls the token made since the start of the current minute, refused ones left out (a
    /// client that keeps knocking is not locked out longer for it).
    public func countThisMinute(tokenID: UUID, now: Date) async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT count(*)::int FROM api_calls
            WHERE token_id = \(tokenID) AND occurred_at >= date_trunc('minute', \(now)::timestamptz) AND status <> 429
            """
        )
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    /// A token's latest calls, newest first.
    public func recent(tokenID: UUID, limit: Int = 50) async throws -> [Entry] {
        let rows = try await connection.query(
            "SELECT occurred_at, method, route, status FROM api_calls WHERE token_id = \(tokenID) ORDER BY id DESC LIMIT \(limit)"
        )
        var entries: [Entry] = []
        for try await (at, method, route, status) in rows.decode((Date, String, String, Int).self) {
            entries.append(Entry(occurredAt: at, method: method, route: route, status: status))
        }
        return entries
    }
}

/// The first answer to each create sent with an `Idempotency-Key`, kept a day. The key is
/// claimed in the create's own transaction: a concurrent retry waits on the row, then finds the
/// answer; a create that fails rolls its claim back, so the retry runs again.
public struct IdempotencyStore: Sendable {
    public struct Answer: Sendable, Equatable {
        public let status: Int
        public let location: String?
        public let body: Data

        public init(status: Int, location: String?, body: Data) {
            self.status = status
            self.location = location
            self.body = body
        }
    }

    /// What a claim found.
    public enum Claim: Sendable, Equatable {
        /// The key is new: run the create, then `store` its answer.
        case fresh
        /// The same request came before: give its answer again.
        case replay(Answer)
        /// The key came with another request.
        case mismatch
    }

    let connection: any SQLSession

    public init(_ connection: any SQLSession) {
        self.connection = connection
    }

    public static func fingerprint(method: String, route: String, body: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(route)\n".utf8))
        hasher.update(data: body)
        return Data(hasher.finalize())
    }

    public func claim(tokenID: UUID, key: String, fingerprint: Data) async throws -> Claim {
        try await connection.query("DELETE FROM api_idempotency WHERE created_at < now() - interval '1 day'")
        let inserted = try await connection.query(
            """
            INSERT INTO api_idempotency (token_id, key, fingerprint) VALUES (\(tokenID), \(key), \(fingerprint))
            ON CONFLICT (token_id, key) DO NOTHING RETURNING 1
            """
        )
        var fresh = false
        for try await _ in inserted { fresh = true }
        if fresh { return .fresh }
        let rows = try await connection.query(
            "SELECT fingerprint, status, location, body FROM api_idempotency WHERE token_id = \(tokenID) AND key = \(key)"
        )
        for try await (stored, status, location, body) in rows.decode((Data, Int?, String?, Data?).self) {
            guard stored == fingerprint else { return .mismatch }
            if let status, let body { return .replay(Answer(status: status, location: location, body: body)) }
        }
        // Claimed and committed without an answer cannot happen (both go in one transaction).
        return .mismatch
    }

    public func store(tokenID: UUID, key: String, answer: Answer) async throws {
        try await connection.query(
            """
            UPDATE api_idempotency SET status = \(answer.status), location = \(answer.location), body = \(answer.body)
            WHERE token_id = \(tokenID) AND key = \(key)
            """
        )
    }
}
