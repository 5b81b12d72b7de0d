/// RFC 5321 §4.5.2: in DATA a line holding only "." ends the message, so every line that
/// starts with "." gets a second one, which the server removes.
enum SMTPDotStuffing {
    /// The message as sent after DATA: stuffed, ending with CRLF, then the final ".".
    static func data(_ message: String) -> [UInt8] {
        var bytes = stuffed(Array(message.utf8))
        if !bytes.isEmpty && !bytes.ends(with: [13, 10]) { bytes += [13, 10] }
        return bytes + Array(".\r\n".utf8)
    }

    static func stuffed(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 64)
        var atLineStart = true
        for byte in bytes {
            if atLineStart && byte == UInt8(ascii: ".") { result.append(byte) }
            result.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        return result
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
