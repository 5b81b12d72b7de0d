import Booking
import Crypto
import Foundation
import Testing
import TestSupport
import Tenancy

/// The per-contact limits look back sixty minutes from now, whatever the clock hour.
@Suite struct BookingLimitsTests {
    @Test func theLimitLooksBackOneHourAcrossTheClockHour() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.database.tenant(tenant).transaction { connection in
                let limits = BookingLimits(connection)
                let key = Data(SHA256.hash(data: Data("booking|email|lea@exemple.fr".utf8)))
                // Four hits 59 minutes ago (before the last clock hour, most of the time), one now: the sixth is refused.
                try await connection.query(
                    "INSERT INTO booking_limits (key, window_start, hits) VALUES (\(key), date_trunc('minute', now()) - interval '59 minutes', 4)"
                )
                #expect(try await limits.allow([("email|lea@exemple.fr", 5)]))
                #expect(try await !limits.allow([("email|lea@exemple.fr", 5)]))
                // A refusal counts nothing, on any of the keys it was asked with.
                #expect(try await !limits.allow([("ip|192.0.2.1", 20), ("email|lea@exemple.fr", 5)]))
                #expect(try await connection.query("SELECT count(*)::int FROM booking_limits").decode(Int.self).first { _ in true } == 2)

                // Once those four hits are over an hour old, they no longer count.
                try await connection.query("UPDATE booking_limits SET window_start = window_start - interval '2 minutes' WHERE hits = 4")
                for _ in 0..<4 { #expect(try await limits.allow([("email|lea@exemple.fr", 5)])) }
                #expect(try await !limits.allow([("email|lea@exemple.fr", 5)]))
            }
        }
    }
}
