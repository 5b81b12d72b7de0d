import Foundation

/// The body a generic SMS provider gets: the département's JSON template with `{{to}}`,
/// `{{text}}`, `{{from}}` and `{{reference}}` replaced by JSON-escaped values. Here rather than
/// beside the transport, so that the settings page can check a template without HTTP.
public enum SMSBodyTemplate {
    /// The body for a message; nil when the template is not JSON once filled.
    public static func body(template: String, to: String, text: String, from: String, reference: String) -> Data? {
        func escaped(_ value: String) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: [value], options: [])) ?? Data("[\"\"]".utf8)
            return String(String(decoding: data, as: UTF8.self).dropFirst(2).dropLast(2))
        }
        let filled = template.replacingOccurrences(of: "{{to}}", with: escaped(to)).replacingOccurrences(of: "{{text}}", with: escaped(text))
            .replacingOccurrences(of: "{{from}}", with: escaped(from)).replacingOccurrences(of: "{{reference}}", with: escaped(reference))
        let data = Data(filled.utf8)
        return (try? JSONSerialization.jsonObject(with: data)) == nil ? nil : data
    }
}
