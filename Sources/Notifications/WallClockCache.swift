import Foundation
import Scheduling
import Synchronization

/// Wall clocks by time zone, built once: each holds a year of offsets.
enum WallClockCache {
    private static let clocks = Mutex<[String: WallClock]>([:])

    static func clock(for timeZone: String) -> WallClock? {
        if let clock = clocks.withLock({ $0[timeZone] }) { return clock }
        guard let clock = WallClock(timeZone: timeZone) else { return nil }
        clocks.withLock { $0[timeZone] = clock }
        return clock
    }
}
