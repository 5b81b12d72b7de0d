import Foundation
import PostgresNIO
import Tenancy

/// Slows down guessing: the `freeFailures`-th failure on a key (an account, an address) blocks it
/// for 30 seconds, and each failure after a block ends doubles the delay, up to an hour. Keys are
/// stored hashed, so the table holds neither emails nor addresses.
public struct Throttle: Sendable {
    public static let freeFailures = 5
    static let firstDelaySeconds = 30
    static let longestDelaySeconds = 3600

    let connection: any SQLSession
    let table: String

    public init(_ connection: any SQLSession, realm: AccountRealm = .agents) {
        self.connection = connection
        self.table = realm.throttles
    }

    /// Seconds to wait before trying again, or nil when every key is free.
    public func retryAfter(_ keys: [String]) async throws -> Int? {
        let hashes = keys.map(Self.hashed)
        let rows = try await connection.query(
            """
            SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int FROM \(unescaped: table)
            WHERE key = ANY(\(hashes)) AND blocked_until > now()
            """
        )
        for try await seconds in rows.decode(Int?.self) { return seconds.map { max(1, $0) } }
        return nil
    }

    /// Counts a failure on each key; a key quiet for a day starts afresh.
    public func recordFailure(_ keys: [String]) async throws {
        for key in keys.map(Self.hashed) {
            try await connection.query(
                """
                INSERT INTO \(unescaped: table) AS t (key, failures) VALUES (\(key), 1)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN t.window_started_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END,
                    window_started_at = CASE WHEN t.window_started_at < now() - interval '1 day' THEN now() ELSE t.window_started_at END
                """
            )
            try await connection.query(
                """
                UPDATE \(unescaped: table) SET blocked_until = now() + make_interval(secs => least(
                    \(Self.longestDelaySeconds), \(Self.firstDelaySeconds) * power(2, failures - \(Self.freeFailures))
                ))
                WHERE key = \(key) AND failures >= \(Self.freeFailures)
                """
            )
        }
    }

    public func reset(_ key: String) async throws {
        try await connection.query("DELETE FROM \(unescaped: table) WHERE key = \(Self.hashed(key))")
    }

    static func hashed(_ key: String) -> String {
        SecretToken.hash(key).map { String(format: "%02x", $0) }.joined()
    }
}
