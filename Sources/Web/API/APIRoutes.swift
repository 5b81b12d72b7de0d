import Agenda
import Booking
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Notifications
import Tenancy

/// The public API v1 on a département's host: each handler reads its input, calls the same
/// feature service as the pages, and writes JSON. `Sources/Web/OpenAPI/openapi.json` is the
/// contract these handlers are tested against.
struct APIRoutes: Sendable {
    let services: IdentityServices

    func register(on api: RouterGroup<APIRequestContext>) {
        api.get("/me") { _, context in
            APIResponse.json(["agent": representations(context).agent(context.agent), "token": representations(context).token(context.token)])
        }
        api.get("/organisations") { _, context in
            let organisations = try await context.database.transaction { try await OrganisationRepository($0).all() }
            return APIResponse.json(["data": organisations.map(representations(context).organisation)])
        }
        api.get("/motifs") { request, context in
            var query = APIQuery(request)
            let organisationID = query.uuid("organisation_id")
            try query.finish()
            let motifs = try await context.database.transaction { try await AgendaCatalog($0).motifs(organisationID: organisationID) }
            return APIResponse.json(["data": motifs.map(representations(context).motif)])
        }
        api.get("/lieux") { request, context in
            var query = APIQuery(request)
            let organisationID = query.uuid("organisation_id")
            try query.finish()
            let lieux = try await context.database.transaction { try await AgendaCatalog($0).lieux(organisationID: organisationID) }
            return APIResponse.json(["data": lieux.map(representations(context).lieu)])
        }
        api.get("/agents") { request, context in
            var query = APIQuery(request)
            let organisationID = query.uuid("organisation_id")
            try query.finish()
            let agents = try await context.database.transaction { connection in
                let visible = Set(try await appointments(connection, context).visibleAgentIDs())
                return try await AgentRepository(connection).all(in: organisationID).filter { visible.contains($0.id) }
            }
            return APIResponse.json(["data": agents.map(representations(context).agent)])
        }
        registerUsagers(on: api)
        registerRdvs(on: api)
        registerSlots(on: api)
        registerAgenda(on: api)
        registerPlages(on: api)
        registerWebhooks(on: api)
        registerExports(on: api)
    }

    func representations(_ context: APIRequestContext) -> APIRepresentations {
        APIRepresentations(time: APITime(zone: context.tenant.timeZone))
    }

    /// The token's agent's appointment use cases, in this transaction.
    func appointments(_ connection: TenantConnection, _ context: APIRequestContext) -> AgentAppointments {
        AgentAppointments(connection, tenant: context.tenant, links: services.noticeLinks(context.tenant), agent: context.agent)
    }

    /// The id in the path; an id that is not a UUID names nothing here.
    func pathID(_ context: APIRequestContext, _ name: String = "id") throws -> UUID {
        guard let id = context.parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw APIProblem.notFound }
        return id
    }

    /// Runs a create once per `Idempotency-Key`: a retry with the same key and body gets the
    /// first answer again (`Idempotent-Replayed: true`), the same key with another body a 422.
    func idempotent(
        _ request: Request, _ context: APIRequestContext, body: APIBody,
        _ create: @escaping @Sendable (TenantConnection) async throws -> (location: String, body: Data)
    ) async throws -> Response {
        try await idempotent(request, context, body: body, creating: { connection in
            let (location, data) = try await create(connection)
            return APICreation(location: location, body: data)
        })
    }

    /// The same, for a create whose first answer says more than its replays (a secret shown
    /// once, warnings): only `body` is kept, and the ETag is always `body`'s.
    func idempotent(
        _ request: Request, _ context: APIRequestContext, body: APIBody,
        creating create: @escaping @Sendable (TenantConnection) async throws -> APICreation
    ) async throws -> Response {
        let key = request.headers[.idempotencyKey]
        if let key, !(1...200).contains(key.count) {
            throw APIProblem.badRequest("L’en-tête Idempotency-Key compte de 1 à 200 caractères.")
        }
        let tokenID = context.token.id
        let fingerprint = IdempotencyStore.fingerprint(method: request.method.rawValue, route: request.uri.path, body: body.raw)
        let (answer, replayed, shown) = try await context.database.transaction { connection -> (IdempotencyStore.Answer, Bool, Data?) in
            let store = IdempotencyStore(connection)
            if let key {
                switch try await store.claim(tokenID: tokenID, key: key, fingerprint: fingerprint) {
                case .replay(let answer): return (answer, true, nil)
                case .mismatch:
                    throw APIProblem(
                        .unprocessableContent, code: "idempotency_key_reused", title: "Clé d’idempotence déjà utilisée",
                        detail: "Cette clé Idempotency-Key a déjà servi pour une autre requête. Utilisez une nouvelle clé pour une nouvelle création."
                    )
                case .fresh: break
                }
            }
            let creation = try await create(connection)
            let answer = IdempotencyStore.Answer(status: 201, location: creation.location, body: creation.body)
            if let key { try await store.store(tokenID: tokenID, key: key, answer: answer) }
            return (answer, false, creation.firstAnswer)
        }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: APIResponse.etag(of: answer.body)]
        if let location = answer.location { headers[.location] = location }
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: shown ?? answer.body)))
    }
}

/// What a create made: where it lives, its representation (kept for replays, and whose ETag
/// is sent), and the first answer when it says more than the representation.
struct APICreation: Sendable {
    let location: String
    let body: Data
    var firstAnswer: Data?
}

/// Query parameters read one by one, every error gathered before a 400.
struct APIQuery {
    let request: Request
    private(set) var errors: [APIProblem.FieldError] = []

    init(_ request: Request) {
        self.request = request
    }

    /// The parameter's text; one holding a NUL character (which PostgreSQL refuses) is an error.
    mutating func text(_ name: String) -> String? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init), !text.isEmpty else { return nil }
        guard !text.contains("\u{0}") else {
            fail(name, "Ce paramètre contient un caractère nul, refusé.")
            return nil
        }
        return text
    }

    mutating func uuid(_ name: String) -> UUID? {
        guard let text = text(name) else { return nil }
        guard let id = UUID(uuidString: text) else {
            errors.append(.init(field: name, detail: "Attendu : un identifiant (UUID)."))
            return nil
        }
        return id
    }

    mutating func date(_ name: String) -> Date? {
        guard let text = text(name) else { return nil }
        guard let date = APITime.parse(text) else {
            errors.append(.init(field: name, detail: "Attendu : une date et heure ISO 8601 avec décalage, par exemple 2026-03-02T00:00:00+01:00."))
            return nil
        }
        return date
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            errors.append(.init(field: name, detail: "Attendu : un entier de \(range.lowerBound) à \(range.upperBound)."))
            return nil
        }
        return value
    }

    mutating func fail(_ name: String, _ detail: String) {
        errors.append(.init(field: name, detail: detail))
    }

    func finish() throws {
        guard errors.isEmpty else {
            throw APIProblem(.badRequest, code: "invalid_query", title: "Paramètres invalides", detail: "Un ou plusieurs paramètres de la requête sont invalides.", errors: errors)
        }
    }
}
