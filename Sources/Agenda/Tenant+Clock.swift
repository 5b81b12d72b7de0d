import Foundation
import Scheduling
import Synchronization
import Tenancy

extension Tenant {
    /// The département's wall clock (overseas départements are not in Europe/Paris), built once
    /// per time zone: each holds a year of offsets.
    public var clock: WallClock {
        WallClocks.clock(for: timeZone)
    }
}

private enum WallClocks {
    static let clocks = Mutex<[String: WallClock]>([:])
    /// The registry only accepts IANA zones; this stands in should one ever be unknown to the system.
    static let fallback = WallClock(timeZone: "Europe/Paris")!

    static func clock(for timeZone: String) -> WallClock {
        if let clock = clocks.withLock({ $0[timeZone] }) { return clock }
        guard let clock = WallClock(timeZone: timeZone) else { return fallback }
        clocks.withLock { $0[timeZone] = clock }
        return clock
    }
}
