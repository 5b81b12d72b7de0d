import Booking
import Foundation
import Hummingbird
import Tenancy

/// Suggestions of communes and streets for the public booking form, from the zones the
/// département knows. No sign-in: they reveal place names only, never a person.
struct AddressSuggestionRoutes: Sendable {

    static let limit = 10

    func register(on router: Router<TenantRequestContext>) {
        router.get("/adresse/communes") { request, context in
            guard let text = Self.searchText(request) else { return Self.json([CommuneItem]()) }
            let communes = try await context.database.transaction {
                try await SectorRepository($0).communes(matching: text, limit: Self.limit)
            }
            return Self.json(communes.map { CommuneItem(code: $0.code, nom: $0.name) })
        }
        router.get("/adresse/voies") { request, context in
            guard let code = request.uri.queryParameters["commune"].flatMap({ AddressKey.communeCode(String($0)) }) else {
                throw PublicError(.badRequest, title: "Commune invalide", detail: "Indiquez le code INSEE de la commune, par exemple 62041.")
            }
            guard let text = Self.searchText(request) else { return Self.json([String]()) }
            let streets = try await context.database.transaction {
                try await SectorRepository($0).streets(communeCode: code, matching: text, limit: Self.limit)
            }
            return Self.json(streets)
        }
    }

    private struct CommuneItem: Encodable {
        let code: String
        let nom: String
    }

    /// `q` when it has from 2 to 100 characters; shorter or longer asks for no suggestion.
    private static func searchText(_ request: Request) -> String? {
        let text = (request.uri.queryParameters["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        return (2...100).contains(text.count) ? text : nil
    }

    private static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("[]".utf8)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(data: data))
        )
    }
}
