import Foundation
import Testing
@testable import Web

/// The API's times, written by hand, say what Foundation's ISO 8601 formatter says, in every
/// zone of the départements and across clock changes.
@Suite struct APITimeTests {
    @Test(arguments: ["Europe/Paris", "America/Cayenne", "America/Guadeloupe", "Indian/Reunion", "Indian/Mayotte", "UTC"])
    func handWrittenTimesMatchFoundation(_ zone: String) {
        let time = APITime(zone: zone)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        // Around the 2026 clock changes, then anywhere from 1960 to 2100.
        let changes = [1_774_746_000.0, 1_792_890_000.0]
        let instants = changes.flatMap { change in stride(from: change - 7200, through: change + 7200, by: 900).map { $0 } }
            + (0..<2_000).map { _ in Double.random(in: -315_619_200...4_102_444_800, using: &generator).rounded(.down) + 0.75 }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(time.string(date) == formatter.string(from: date), "\(zone) \(seconds)")
            if time.string(date) != formatter.string(from: date) { break }
        }
    }
}
