import Hummingbird

extension Response {
    /// A CSV file the browser saves rather than shows (UTF-8, with the byte order mark that
    /// tells spreadsheets so; our imports skip it), never kept by a cache: it holds a
    /// département's data.
    static func csvAttachment(_ text: String, fileName: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(fileName)\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text.hasPrefix("\u{FEFF}") ? text : "\u{FEFF}" + text))
        )
    }
}
