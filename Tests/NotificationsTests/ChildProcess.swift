import Foundation

/// Programs the mail tests run (Python, openssl), waited for on a Dispatch thread so that
/// the cooperative pool never blocks.
enum ChildProcess {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mailScripts = repository.appendingPathComponent("Tests/Mail")

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs to the end; returns standard output, throws with both outputs on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                let output = Pipe()
                let errors = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-child-\(UUID().uuidString).log")
                _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
                defer { try? FileManager.default.removeItem(at: errors) }
                process.standardOutput = output
                do {
                    process.standardError = try FileHandle(forWritingTo: errors)
                    try process.run()
                } catch {
                    return continuation.resume(throwing: error)
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let text = String(decoding: data, as: UTF8.self)
                guard process.terminationStatus == 0 else {
                    let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                    return continuation.resume(throwing: Failed(description: "\(arguments.joined(separator: " ")) failed:\n\(text)\n\(log)"))
                }
                continuation.resume(returning: text)
            }
        }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
