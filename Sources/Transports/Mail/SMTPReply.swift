/// A complete server reply: its three-digit code and the text of each of its lines.
struct SMTPReply: Sendable, Hashable {
    let code: Int
    let lines: [String]

    /// The RFC 3463 code (`5.1.1`) that starts the text when the server gives one.
    var enhancedCode: String? {
        guard let first = lines.first?.split(separator: " ").first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return String(first)
    }

    /// EHLO keywords (upper-cased) with their parameters; the first line is the greeting.
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            result[keyword.uppercased()] = words.dropFirst().map { $0.uppercased() }
        }
        return result
    }
}

/// Assembles replies from bytes as they arrive: lines `250-…` continue a reply, `250 …`
/// ends it (RFC 5321 §4.2.1).
struct SMTPReplyParser {
    /// RFC 5321 allows 512; more means a broken or hostile server, not a bigger buffer.
    static let maximumLineLength = 4096

    struct Malformed: Error {}

    private var line: [UInt8] = []
    private var pending: [(code: Int, text: String)] = []

    /// Bytes received but not yet part of a finished reply.
    var hasPartialInput: Bool { !line.isEmpty || !pending.isEmpty }

    mutating func replies(from bytes: some Sequence<UInt8>) throws(Malformed) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                line.append(byte)
                guard line.count <= Self.maximumLineLength else { throw Malformed() }
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let (code, isLast, text) = try Self.parse(line)
            line = []
            if let first = pending.first, first.code != code { throw Malformed() }
            pending.append((code, text))
            if isLast {
                replies.append(SMTPReply(code: code, lines: pending.map(\.text)))
                pending = []
            }
        }
        return replies
    }

    static func parse(_ line: [UInt8]) throws(Malformed) -> (code: Int, isLast: Bool, text: String) {
        guard line.count >= 3, line[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-")
        else { throw Malformed() }
        let code = line[0...2].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard (200...599).contains(code) else { throw Malformed() }
        let isLast = line.count == 3 || line[3] == UInt8(ascii: " ")
        return (code, isLast, line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
    }
}

/// The reply parser seen from outside the module, for the fuzzer and its corpus tests: the
/// replies `bytes` hold when they arrive in pieces cut at `cuts`, as codes and texts, or nil
/// when the parser calls them malformed. Whatever the cuts, the answer must be the same.
public enum SMTPReplyReading {
    public static func replies(_ bytes: [UInt8], cuts: [Int] = []) -> [String]? {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        var start = 0
        do {
            for cut in (cuts.map { min(max($0, 0), bytes.count) } + [bytes.count]).sorted() where cut >= start {
                replies += try parser.replies(from: bytes[start..<cut])
                start = cut
            }
        } catch {
            return nil
        }
        return replies.map { "\($0.code) " + $0.lines.joined(separator: "\n") }
    }
}
