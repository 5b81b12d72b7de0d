/// A ZIP archive written front to back, each entry deflated as it comes: the sizes and checksum
/// follow the data (a data descriptor), so nothing waits for the end of an entry. Entries above
/// 4 GiB would need ZIP64, which is left out: an export never comes near.
struct ZipStream {
    struct TooLarge: Error {}

    private struct Entry {
        let name: [UInt8]
        let offset: UInt64
        var crc: UInt32 = 0
        var compressed: UInt64 = 0
        var uncompressed: UInt64 = 0
    }

    /// Bytes ready to leave; the caller drains it as it likes.
    var output: [UInt8] = []
    private var written: UInt64 = 0
    private var entries: [Entry] = []
    private var current: Entry?
    private var deflater: Deflater?

    // General-purpose flags: sizes in a trailing descriptor (bit 3), UTF-8 names (bit 11).
    private static let flags: UInt16 = 0x0808
    private static let deflated: UInt16 = 8
    private static let version: UInt16 = 20
    // 1980-01-01 00:00, the earliest MS-DOS time: the archive's files carry no meaningful date.
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = 0x21

    mutating func begin(_ name: String) throws {
        if current != nil { try end() }
        let entry = Entry(name: Array(name.utf8), offset: written + UInt64(output.count))
        var header: [UInt8] = []
        header.le32(0x0403_4b50)
        header.le16(Self.version)
        header.le16(Self.flags)
        header.le16(Self.deflated)
        header.le16(Self.dosTime)
        header.le16(Self.dosDate)
        header.le32(0)  // CRC, sizes: in the descriptor
        header.le32(0)
        header.le32(0)
        header.le16(UInt16(entry.name.count))
        header.le16(0)
        header.append(contentsOf: entry.name)
        output.append(contentsOf: header)
        current = entry
        deflater = Deflater()
    }

    mutating func write(_ bytes: [UInt8]) {
        guard var entry = current, let deflater else { preconditionFailure("write outside an entry") }
        entry.crc = CRC32.update(entry.crc, bytes)
        entry.uncompressed += UInt64(bytes.count)
        let before = output.count
        deflater.compress(bytes, into: &output)
        entry.compressed += UInt64(output.count - before)
        current = entry
    }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    mutating func end() throws {
        guard var entry = current, let deflater else { return }
        let before = output.count
        deflater.finish(into: &output)
        entry.compressed += UInt64(output.count - before)
        guard entry.compressed <= UInt32.max, entry.uncompressed <= UInt32.max else { throw TooLarge() }
        output.le32(0x0807_4b50)
        output.le32(entry.crc)
        output.le32(UInt32(entry.compressed))
        output.le32(UInt32(entry.uncompressed))
        entries.append(entry)
        current = nil
        self.deflater = nil
    }

    /// Ends the last entry and writes the central directory.
    mutating func finish() throws {
        try end()
        let start = written + UInt64(output.count)
        guard start <= UInt32.max, entries.count < UInt16.max else { throw TooLarge() }
        var directory: [UInt8] = []
        for entry in entries {
            directory.le32(0x0201_4b50)
            directory.le16(Self.version)  // made by: MS-DOS attributes, spec 2.0
            directory.le16(Self.version)
            directory.le16(Self.flags)
            directory.le16(Self.deflated)
            directory.le16(Self.dosTime)
            directory.le16(Self.dosDate)
            directory.le32(entry.crc)
            directory.le32(UInt32(entry.compressed))
            directory.le32(UInt32(entry.uncompressed))
            directory.le16(UInt16(entry.name.count))
            directory.le16(0)  // extra field
            directory.le16(0)  // comment
            directory.le16(0)  // disk
            directory.le16(0)  // internal attributes
            directory.le32(0)  // external attributes
            directory.le32(UInt32(entry.offset))
            directory.append(contentsOf: entry.name)
        }
        output.append(contentsOf: directory)
        output.le32(0x0605_4b50)
        output.le16(0)
        output.le16(0)
        output.le16(UInt16(entries.count))
        output.le16(UInt16(entries.count))
        output.le32(UInt32(directory.count))
        output.le32(UInt32(start))
        output.le16(0)
    }

    /// Hands over the bytes ready so far.
    mutating func drain() -> [UInt8] {
        let bytes = output
        written += UInt64(bytes.count)
        output.removeAll(keepingCapacity: true)
        return bytes
    }
}

extension [UInt8] {
    mutating func le16(_ value: UInt16) {
        append(UInt8(value & 0xff))
        append(UInt8(value >> 8))
    }

    mutating func le32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }
}
