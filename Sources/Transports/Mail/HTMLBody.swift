import Foundation

/// The HTML alternative of a plain-text message: the same words, escaped, in paragraphs, with
/// its links made clickable; nothing a mail client could load from elsewhere.
public enum HTMLBody {
    public static func from(_ text: String) -> String {
        let paragraphs = text.components(separatedBy: "\n\n").map { paragraph in
            "<p>" + paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { linked(escaped(String($0))) }.joined(separator: "<br>") + "</p>"
        }
        return "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"></head><body style=\"font-family: sans-serif; line-height: 1.5\">"
            + paragraphs.joined(separator: "\n") + "</body></html>"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Escaped text whose http(s) addresses become links.
    static func linked(_ escaped: String) -> String {
        var result = ""
        for word in escaped.split(separator: " ", omittingEmptySubsequences: false) {
            if !result.isEmpty { result += " " }
            if word.hasPrefix("https://") || word.hasPrefix("http://") {
                result += "<a href=\"\(word)\">\(word)</a>"
            } else {
                result += word
            }
        }
        return result
    }
}
