/// Splits a SQL file into statements. PostgresNIO speaks the extended protocol, which takes
/// one statement at a time, so a migration file is cut at its top-level semicolons: those
/// outside quotes, quoted identifiers, comments and dollar-quoted bodies.
public enum SQLScript {
    public static func statements(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var index = 0
        var hasCode = false

        func finish(upTo end: Int) {
            if hasCode {
                let statement = String(String.UnicodeScalarView(scalars[start..<end]))
                statements.append(statement.trimmingWhitespace())
            }
            start = end + 1
            hasCode = false
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "-" where next == "-":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
                continue
            case "/" where next == "*":
                index = skipBlockComment(scalars, from: index)
                continue
            case "'":
                let escapes = index > 0 && (scalars[index - 1] == "E" || scalars[index - 1] == "e")
                index = skipQuoted(scalars, from: index, quote: "'", backslashEscapes: escapes)
                hasCode = true
                continue
            case "\"":
                index = skipQuoted(scalars, from: index, quote: "\"", backslashEscapes: false)
                hasCode = true
                continue
            case "$":
                if let tag = dollarTag(scalars, at: index) {
                    index = skipDollarQuoted(scalars, from: index, tag: tag)
                    hasCode = true
                    continue
                }
                hasCode = true
            case ";":
                finish(upTo: index)
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
            }
            index += 1
        }
        finish(upTo: scalars.count)
        return statements
    }

    /// Index just past a `/* … */` comment (comments nest in PostgreSQL).
    private static func skipBlockComment(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var i = start
        while i < s.count {
            if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" {
                depth += 1
                i += 2
            } else if s[i] == "*", i + 1 < s.count, s[i + 1] == "/" {
                depth -= 1
                i += 2
                if depth == 0 { return i }
            } else {
                i += 1
            }
        }
        return i
    }

    /// Index just past a quoted run; a doubled quote stands for itself.
    private static func skipQuoted(_ s: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar, backslashEscapes: Bool) -> Int {
        var i = start + 1
        while i < s.count {
            if backslashEscapes, s[i] == "\\" {
                i += 2
                continue
            }
            if s[i] == quote {
                if i + 1 < s.count, s[i + 1] == quote {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return i
    }

    /// The `$tag$` opening at `index`, if one does (a `$1` parameter is not one).
    private static func dollarTag(_ s: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        if index > 0, s[index - 1].properties.isAlphabetic || s[index - 1] == "_" || ("0"..."9").contains(s[index - 1]) {
            return nil
        }
        var i = index + 1
        while i < s.count, s[i] != "$" {
            let c = s[i]
            let allowed = c.properties.isAlphabetic || c == "_" || (i > index + 1 && ("0"..."9").contains(c))
            guard allowed else { return nil }
            i += 1
        }
        guard i < s.count else { return nil }
        return Array(s[index...i])
    }

    private static func skipDollarQuoted(_ s: [Unicode.Scalar], from start: Int, tag: [Unicode.Scalar]) -> Int {
        var i = start + tag.count
        while i + tag.count <= s.count {
            if s[i] == "$", Array(s[i..<(i + tag.count)]) == tag { return i + tag.count }
            i += 1
        }
        return s.count
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
