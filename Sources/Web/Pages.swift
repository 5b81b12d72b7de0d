import Foundation
import Hummingbird
import Mustache

/// HTML pages rendered from the Mustache templates shipped with this module.
public struct Pages: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    let addressScript: ByteBuffer

    public static func load() async throws -> Pages {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
              let css = Bundle.module.url(forResource: "Static/app", withExtension: "css"),
              let script = Bundle.module.url(forResource: "Static/address", withExtension: "js")
        else {
            throw PagesError.missingResources
        }
        let library = try await MustacheLibrary(directory: templates.path)
        return Pages(library: library, stylesheet: ByteBuffer(data: try Data(contentsOf: css)), addressScript: ByteBuffer(data: try Data(contentsOf: script)))
    }

    /// Renders `template` (which extends the layout) with `values` into an HTML response.
    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        guard let html = library.render(values, withTemplate: template) else {
            preconditionFailure("template \(template) is missing from the bundle")
        }
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func errorPage(_ error: PublicError) -> Response {
        render("error", ["title": error.title, "detail": error.detail, "status": error.status.code], status: error.status, headers: error.headers)
    }

    func addressScriptResponse() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: addressScript)
        )
    }

    func stylesheetResponse() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: stylesheet)
        )
    }
}

enum PagesError: Error {
    case missingResources
}
