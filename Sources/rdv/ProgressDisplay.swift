import Foundation
import Synchronization
import Tenancy

/// Shows a multi-schema run: a bar redrawn in place on a terminal, plain lines otherwise.
final class ProgressDisplay: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lastWidth = Mutex(0)

    func update(_ progress: MigrationProgress) {
        let outcome = progress.outcome
        let status = outcome.succeeded ? "ok" : "ÉCHEC"
        if isTerminal {
            let width = 30
            let filled = progress.total == 0 ? width : width * progress.done / progress.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(bar) \(progress.done)/\(progress.total) \(outcome.schema) \(status)"
            let padded = lastWidth.withLock { last in
                defer { last = line.count }
                return line + String(repeating: " ", count: max(0, last - line.count))
            }
            write(padded + (progress.done == progress.total ? "\n" : ""))
        } else {
            write("[\(progress.done)/\(progress.total)] \(outcome.schema) \(status) (\(outcome.applied.count) appliquée(s))\n")
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
