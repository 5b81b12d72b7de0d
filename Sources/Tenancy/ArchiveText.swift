import Crypto
import Foundation
import PostgresNIO

/// A file of an archive, written in large chunks with its SHA-256 computed on the way, so that
/// nothing is read twice.
final class HashingWriter {
    let name: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var count = 0

    init(name: String, in directory: URL) throws(ArchiveError) {
        self.name = name
        let url = directory.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: url) else { throw .unreadable(url.path) }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        flushIfFull()
    }

    func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        flushIfFull()
    }

    /// Appends whatever the caller puts in the buffer directly (the row encoders).
    func withBuffer(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        flushIfFull()
    }

    private func flushIfFull() {
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        handle.write(Data(buffer))
        count += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the file; its entry in the manifest.
    func finish() throws -> ArchiveManifest.File {
        flush()
        try handle.close()
        return ArchiveManifest.File(name: name, bytes: count, sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// The two encodings of a value an archive writes: PostgreSQL's COPY text format (for
/// `dump.sql`) and RFC 4180 CSV. Both work on the UTF-8 bytes PostgreSQL printed.
enum ArchiveText {
    /// COPY text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
    static func appendCopy(_ value: ByteBuffer?, to out: inout [UInt8]) {
        guard let value else {
            out.append(contentsOf: [0x5C, 0x4E])
            return
        }
        value.withUnsafeReadableBytes { appendCopy(bytes: $0, to: &out) }
    }

    static func appendCopy(bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            out.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            default: out.append(byte)
            }
        }
    }

    /// CSV: NULL is an empty field, an empty text is `""`; a field with a comma, a quote or a
    /// line break is quoted, its quotes doubled.
    static func appendCSV(_ value: ByteBuffer?, to out: inout [UInt8]) {
        guard let value else { return }
        value.withUnsafeReadableBytes { bytes in
            let needsQuotes = bytes.isEmpty || bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            guard needsQuotes else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(0x22)
            for byte in bytes {
                if byte == 0x22 { out.append(0x22) }
                out.append(byte)
            }
            out.append(0x22)
        }
    }

    static func appendCSV(text: String, to out: inout [UInt8]) {
        appendCSV(ByteBuffer(string: text), to: &out)
    }

    /// Undoes `appendCopy` for one field (nil for `\N`).
    static func decodeCopy(_ field: Substring) -> String? {
        if field == "\\N" { return nil }
        guard field.contains("\\") else { return String(field) }
        var result = ""
        var iterator = field.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else {
                result.append(character)
                continue
            }
            switch next {
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: result.append(next)
            }
        }
        return result
    }

    static func copyField(_ value: String?) -> String {
        guard let value else { return "\\N" }
        var out: [UInt8] = []
        appendCopy(bytes: Array(value.utf8), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ data: some Sequence<UInt8>) -> String {
        data.map { String(format: "%02x", $0) }.joined()
    }

    /// Bytes of PostgreSQL's `\x…` bytea text.
    static func bytes(ofByteaText text: String) -> Data? {
        guard text.hasPrefix("\\x") else { return nil }
        var data = Data()
        var index = text.index(text.startIndex, offsetBy: 2)
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }
}
