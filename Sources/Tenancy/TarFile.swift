import Foundation

/// A plain POSIX (ustar) tar file of regular files, written and read without any tool: the
/// archive of a département must open with any `tar`, and reading it must never follow a path
/// out of the folder it is extracted to.
enum TarFile {
    static let blockSize = 512

    /// Writes `files` (name in the archive, file on disk) to `destination`, in this order.
    static func write(_ files: [(name: String, path: URL)], to destination: URL) throws {
        FileManager.default.createFile(atPath: destination.path, contents: nil)
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: file.path.path)[.size] as? Int ?? 0
            output.write(header(name: file.name, size: size))
            let input = try FileHandle(forReadingFrom: file.path)
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                output.write(chunk)
            }
            let padding = (blockSize - size % blockSize) % blockSize
            output.write(Data(count: padding))
        }
        output.write(Data(count: 2 * blockSize))
    }

    /// Extracts every regular file of `source` into `directory`; returns their names. Refuses
    /// links, absolute names and `..`, so that a crafted archive writes nowhere else.
    static func extract(_ source: URL, into directory: URL) throws(ArchiveError) -> [String] {
        guard let input = try? FileHandle(forReadingFrom: source) else { throw .unreadable(source.path) }
        defer { try? input.close() }
        var names: [String] = []
        while true {
            guard let block = try? input.read(upToCount: blockSize), block.count == blockSize else { throw .notAnArchive }
            if block.allSatisfy({ $0 == 0 }) { return names }
            let bytes = [UInt8](block)
            guard checksumMatches(bytes), let size = octal(bytes[124..<136]) else { throw .notAnArchive }
            let prefix = string(bytes[345..<500]) ?? "", base = string(bytes[0..<100]) ?? ""
            let name = prefix.isEmpty ? base : prefix + "/" + base
            let kind = bytes[156]
            let padded = size + (blockSize - size % blockSize) % blockSize
            if kind == UInt8(ascii: "5") {
                guard size == 0 else { throw .notAnArchive }
                continue
            }
            guard kind == UInt8(ascii: "0") || kind == 0, isSafe(name), !names.contains(name) else {
                throw .unexpectedEntry(name)
            }
            let target = directory.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target.path, contents: nil),
                  let output = try? FileHandle(forWritingTo: target) else { throw .unreadable(target.path) }
            defer { try? output.close() }
            var remaining = padded
            var content = size
            while remaining > 0 {
                guard let chunk = try? input.read(upToCount: min(remaining, 1 << 20)), !chunk.isEmpty else { throw .notAnArchive }
                remaining -= chunk.count
                if content > 0 {
                    let kept = chunk.prefix(content)
                    output.write(kept)
                    content -= kept.count
                }
            }
            names.append(name)
        }
    }

    static func isSafe(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !name.isEmpty && !name.hasPrefix("/") && parts.allSatisfy { !$0.isEmpty && $0 != ".." && $0 != "." }
            && name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0 != "\\" }
    }

    private static func header(name: String, size: Int) -> Data {
        var bytes = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { bytes[offset + index] = byte }
        }
        precondition(name.utf8.count < 100, "archive entry names stay short")
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put(String(format: "%011o", Int(Date().timeIntervalSince1970)), at: 136)
        put("        ", at: 148)
        bytes[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        put("rdv", at: 265)
        put("rdv", at: 297)
        let sum = bytes.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        bytes[154] = 0
        bytes[155] = UInt8(ascii: " ")
        return Data(bytes)
    }

    private static func checksumMatches(_ bytes: [UInt8]) -> Bool {
        guard let recorded = octal(bytes[148..<156]) else { return false }
        let sum = bytes.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 32 : Int($1.element)) }
        return sum == recorded
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String? {
        String(bytes: field.prefix { $0 != 0 }, encoding: .utf8)
    }
}
