import Foundation
import Hummingbird

/// The API's contract, `Sources/Web/OpenAPI/openapi.json`, served as JSON and as YAML, and
/// read into the French reference page. Nobody needs a token to read it.
struct OpenAPIDocument: Sendable {
    let json: Data
    let yaml: String
    /// The reference page's values: operations by tag, with parameters and answers.
    let sections: [Section]
    let title: String
    let summary: String

    struct Operation: Sendable {
        let method: String
        let path: String
        let summary: String
        let detail: String
        let parameters: [String]
        let body: String?
        let answers: [String]
        var anchor: String { (method + path).lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined() }
    }

    struct Section: Sendable {
        let tag: String
        let operations: [Operation]
    }

    static func load() throws -> OpenAPIDocument {
        guard let url = Bundle.module.url(forResource: "OpenAPI/openapi", withExtension: "json") else { throw PagesError.missingResources }
        let data = try Data(contentsOf: url)
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw PagesError.missingResources }
        let info = document["info"] as? [String: Any] ?? [:]
        return OpenAPIDocument(
            json: data, yaml: YAMLWriter.document(document), sections: Self.sections(of: document),
            title: info["title"] as? String ?? "API", summary: info["description"] as? String ?? ""
        )
    }

    private static func sections(of document: [String: Any]) -> [Section] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        let components = document["components"] as? [String: Any] ?? [:]
        let sharedParameters = components["parameters"] as? [String: Any] ?? [:]
        let tags = (document["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        var byTag: [String: [Operation]] = [:]
        for path in paths.keys.sorted() {
            let item = paths[path] as? [String: Any] ?? [:]
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = item[method] as? [String: Any] else { continue }
                let parameters = (operation["parameters"] as? [[String: Any]] ?? []).map { parameter -> String in
                    let resolved = (parameter["$ref"] as? String).flatMap { sharedParameters[$0.components(separatedBy: "/").last ?? ""] as? [String: Any] } ?? parameter
                    let name = resolved["name"] as? String ?? "?"
                    let place = ["path": "chemin", "query": "requête", "header": "en-tête"][resolved["in"] as? String ?? ""] ?? ""
                    let required = resolved["required"] as? Bool == true ? ", obligatoire" : ""
                    let note = (resolved["description"] as? String).map { " — \($0)" } ?? ""
                    return "\(name) (\(place)\(required))\(note)"
                }
                let body = ((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])
                    .flatMap { ($0["application/json"] as? [String: Any])?["schema"] as? [String: Any] }
                    .flatMap { $0["$ref"] as? String }.map { $0.components(separatedBy: "/").last ?? "" }
                let answers = (operation["responses"] as? [String: Any] ?? [:]).keys.sorted()
                let tag = (operation["tags"] as? [String])?.first ?? "Autres"
                byTag[tag, default: []].append(Operation(
                    method: method.uppercased(), path: "/api/v1" + path, summary: operation["summary"] as? String ?? "",
                    detail: operation["description"] as? String ?? "", parameters: parameters, body: body, answers: answers
                ))
            }
        }
        return (tags + byTag.keys.filter { !tags.contains($0) }.sorted()).compactMap { tag in
            byTag[tag].map { Section(tag: tag, operations: $0) }
        }
    }
}

/// Writes a JSON value as block-style YAML: keys and strings quoted as JSON strings (which YAML
/// reads as they are), so nothing in a description can be mistaken for YAML syntax.
enum YAMLWriter {
    static func document(_ value: Any) -> String {
        var lines: [String] = []
        write(value, indent: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func scalar(_ value: Any) -> String? {
        switch value {
        case is NSNull: return "null"
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumbers of Objective-C type "c".
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        case let text as String: return quoted(text)
        case let array as [Any] where array.isEmpty: return "[]"
        case let object as [String: Any] where object.isEmpty: return "{}"
        default: return nil
        }
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    private static func write(_ value: Any, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                let child = object[key]!
                if let text = scalar(child) {
                    lines.append("\(pad)\(quoted(key)): \(text)")
                } else {
                    lines.append("\(pad)\(quoted(key)):")
                    write(child, indent: indent + 2, into: &lines)
                }
            }
        } else if let array = value as? [Any] {
            for item in array {
                if let text = scalar(item) {
                    lines.append("\(pad)- \(text)")
                } else {
                    var inner: [String] = []
                    write(item, indent: indent + 2, into: &inner)
                    guard let first = inner.first else { continue }
                    lines.append(pad + "- " + first.dropFirst(indent + 2))
                    lines += inner.dropFirst()
                }
            }
        } else if let text = scalar(value) {
            lines.append(pad + text)
        }
    }
}

/// `/api/v1/openapi.json`, `/api/v1/openapi.yaml` and the reference page `/api/v1/docs`.
struct APIDocumentRoutes: Sendable {
    let document: OpenAPIDocument
    let pages: TenantPages

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(data: document.json)))
        }
        group.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: document.yaml)))
        }
        group.get("/docs") { request, context in
            let sections: [[String: Any]] = document.sections.map { section in
                [
                    "tag": section.tag,
                    "operations": section.operations.map { operation -> [String: Any] in
                        [
                            "method": operation.method, "path": operation.path, "summary": operation.summary, "detail": operation.detail,
                            "anchor": operation.anchor, "parameters": operation.parameters, "hasParameters": !operation.parameters.isEmpty,
                            "body": operation.body ?? "", "hasBody": operation.body != nil, "answers": operation.answers.joined(separator: ", "),
                        ]
                    },
                ]
            }
            return pages.render(
                "api_docs", ["pageTitle": "\(document.title) – \(context.tenant.name)", "title": document.title, "summary": document.summary, "sections": sections],
                request: request, tenant: context.tenant, agent: context.agent, sessionToken: context.sessionToken
            )
        }
    }
}
