import Foundation
import FuzzTargets
import SeededRandom
import Testing

/// What libFuzzer found, and the seeds it started from, stay checked: every file of
/// `corpus/<target>/` goes through its target on each test run. And a deterministic stream of
/// mutated seeds holds the same properties without libFuzzer.
@Suite struct FuzzCorpusTests {
    static func corpus(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = try #require(Bundle.module.url(forResource: "corpus", withExtension: nil)).appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    @Test(arguments: FuzzTarget.allCases) func everySavedInputKeepsTheProperties(_ target: FuzzTarget) throws {
        let inputs = try Self.corpus(target)
        #expect(!inputs.isEmpty, "each target has seeds")
        for input in inputs {
            do { try target.run(input.bytes) } catch { Issue.record("\(target.rawValue)/\(input.name): \(error)") }
        }
    }

    /// Byte flips, insertions, deletions and splices of the seeds (a fixed seed: the same
    /// inputs every run), 3,000 per target.
    @Test(arguments: FuzzTarget.allCases) func mutatedSeedsKeepTheProperties(_ target: FuzzTarget) throws {
        let seeds = try Self.corpus(target).map(\.bytes)
        var random = SeededRandom(seed: 0x5EED_0000 + UInt64(target.rawValue.count))
        let interesting: [UInt8] = Array("\"\\;,\r\n{}[]:-+0123456789 =#'".utf8) + [0, 0xFF, 0xC3, 0xA9]
        for _ in 0..<3_000 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + random.next() % 4) {
                let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0 where !bytes.isEmpty: bytes[position] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 2 where !bytes.isEmpty: bytes.remove(at: position)
                default:
                    let other = seeds[Int(random.next() % UInt64(seeds.count))]
                    bytes = Array(bytes.prefix(position)) + Array(other.dropFirst(Int(random.next() % UInt64(max(other.count, 1)))))
                }
            }
            if ProcessInfo.processInfo.environment["FUZZ_DUMP"] != nil { try? Data(bytes).write(to: URL(fileURLWithPath: "/tmp/fuzz-last-\(target.rawValue)")) }
            do { try target.run(bytes) } catch {
                Issue.record("\(target.rawValue): \(error) for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                return
            }
        }
    }
}

