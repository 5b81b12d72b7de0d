import CZlib

/// Raw deflate (RFC 1951) over zlib, fed piece by piece: what a ZIP entry holds. The stream
/// lives at a fixed address, as zlib checks.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    init(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_raw_deflate_init(stream, level)
        precondition(status == Z_OK, "zlib refused its own defaults")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, appending what zlib has ready to `output`.
    func compress(_ input: [UInt8], into output: inout [UInt8]) {
        run(input, flush: Z_NO_FLUSH, into: &output)
    }

    /// Ends the stream; the deflater is spent afterwards.
    func finish(into output: inout [UInt8]) {
        run([], flush: Z_FINISH, into: &output)
    }

    private func run(_ input: [UInt8], flush: Int32, into output: inout [UInt8]) {
        var input = input
        let capacity = scratch.count
        input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            scratch.withUnsafeMutableBufferPointer { target in
                var done = false
                while !done {
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(capacity)
                    let status = deflate(stream, flush)
                    precondition(status != Z_STREAM_ERROR, "zlib stream state broken")
                    let produced = capacity - Int(stream.pointee.avail_out)
                    output.append(contentsOf: target[0..<produced])
                    // Without flushing, zlib is done once it leaves room in the output; finishing
                    // goes on until it says the stream has ended.
                    done = flush == Z_FINISH ? status == Z_STREAM_END : stream.pointee.avail_out > 0
                }
            }
        }
        stream.pointee.next_in = nil
    }
}

enum CRC32 {
    static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(UInt(crc), $0.baseAddress, UInt32($0.count))) }
    }
}
