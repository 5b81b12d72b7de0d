import FuzzTargets
import Foundation

#if FUZZING
/// libFuzzer's entry point (built by scripts/fuzz with -sanitize=fuzzer): the target comes from
/// RDV_FUZZ_TARGET. A broken property stops the run like a crash, and libFuzzer saves the input.
private let target: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["RDV_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        fatalError("RDV_FUZZ_TARGET: one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    do { try target.run(bytes) } catch { fatalError(error.description) }
    return 0
}
#else
/// Without libFuzzer: replays files through a target (`RDVFuzz TARGET FILE…`), as a crasher is
/// checked once fixed.
@main struct RDVFuzz {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("RDVFuzz TARGET FILE… (TARGET : \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            try target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }
}
#endif
