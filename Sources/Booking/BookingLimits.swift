import Crypto
import Foundation
import PostgresNIO
import Tenancy

/// Counts booking requests and code sendings per key (an address, a phone, an email) over the
/// last hour, and says when one is over its limit. Keys are stored hashed: the table holds no contact.
///
/// Hits are kept in one-minute buckets and the limit applies to the sixty minutes before now:
/// a window fixed on the clock hour would forget everything at the hour and let twice the
/// limit through across it.
public struct BookingLimits: Sendable {
    /// Requests per network address per hour (a family, a social centre: a few dozen at most).
    public static let perAddress = 20
    /// Requests and codes sent to one phone or email per hour.
    public static let perContact = 5

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Counts one hit on each key; false (and nothing counted) when one of them is already at its limit.
    public func allow(_ keys: [(key: String, limit: Int)]) async throws -> Bool {
        let hashed = keys.map { (Data(SHA256.hash(data: Data("booking|\($0.key)".utf8))), $0.limit) }
        for (key, limit) in hashed {
            for try await hits in try await connection.query(
                """
                SELECT coalesce(sum(hits), 0)::int FROM booking_limits
                WHERE key = \(key) AND window_start > date_trunc('minute', now()) - interval '1 hour'
                """
            ).decode(Int.self) where hits >= limit {
                return false
            }
        }
        for (key, _) in hashed {
            try await connection.query(
                """
                INSERT INTO booking_limits (key, window_start, hits) VALUES (\(key), date_trunc('minute', now()), 1)
                ON CONFLICT (key, window_start) DO UPDATE SET hits = booking_limits.hits + 1
                """
            )
        }
        // Buckets out of the hour are of no use; a little sweeping on each write keeps the table small.
        try await connection.query("DELETE FROM booking_limits WHERE window_start < now() - interval '2 hours'")
        return true
    }
}
