import Agenda
import Foundation
import Hummingbird
import Privacy
import Tenancy

/// Usagers of the département: search by name, read with relatives and referents, create.
extension APIRoutes {
    func registerUsagers(on api: RouterGroup<APIRequestContext>) {
        api.get("/usagers") { request, context in
            var query = APIQuery(request)
            let text = query.text("q") ?? ""
            if text.count < 2 || text.count > 100 { query.fail("q", "Ce paramètre est obligatoire : de 2 à 100 lettres du début du prénom ou du nom.") }
            try query.finish()
            let actor = trailActor(context)
            let usagers = try await context.database.transaction { connection in
                let repository = UsagerRepository(connection)
                var found: [Usager] = []
                for match in try await repository.search(text) {
                    if let usager = try await repository.find(match.id) { found.append(usager) }
                }
                try await AccessTrail(connection).record(.searched, usagers: found.map(\.id), by: actor)
                return found
            }
            return APIResponse.json(["data": usagers.map(representations(context).usager)])
        }
        api.get("/usagers/:id") { request, context in
            let usagerID = try pathID(context)
            let representations = representations(context)
            let actor = trailActor(context)
            let data = try await context.database.transaction { connection -> Data in
                let repository = UsagerRepository(connection)
                guard let usager = try await repository.find(usagerID) else { throw APIProblem.notFound }
                try await AccessTrail(connection).record(.viewed, usagers: [usager.id], by: actor)
                return APIResponse.encode(try await detail(usager, repository, representations))
            }
            return APIResponse.conditional(request, data: data)
        }
        api.patch("/usagers/:id") { request, context in try await updateUsager(request, context) }
        api.post("/usagers") { request, context in
            var body = try await APIBody.read(request)
            let (identity, errors) = UsagerIdentity.read(
                firstName: body.text("first_name"), lastName: body.text("last_name"), birthDate: body.text("birth_date"),
                phone: body.text("phone"), email: body.text("email")
            )
            for error in errors { body.require(false, error.field, error.message) }
            var address: String?
            switch UsagerAddress.read(body.text("address")) {
            case .success(let line): address = line
            case .failure(let error): body.require(false, "address", error.message)
            }
            try body.finish()
            guard let identity else { throw APIProblem.invalid(body.errors) }
            let representations = representations(context)
            let given = address
            return try await idempotent(request, context, body: body) { connection in
                let repository = UsagerRepository(connection)
                let id = try await repository.create(
                    firstName: identity.firstName, lastName: identity.lastName, phone: identity.phone, email: identity.email,
                    birthDate: identity.birthDate, address: given
                )
                guard let usager = try await repository.find(id) else { throw APIProblem.notFound }
                return ("/api/v1/usagers/\(id.uuidString.lowercased())", APIResponse.encode(representations.usager(usager)))
            }
        }
    }

    /// The trail's actor of an API call: the token, and the agent it belongs to.
    func trailActor(_ context: APIRequestContext) -> AccessTrail.Actor {
        AccessTrail.Actor(agentID: context.agent.id, apiTokenID: context.token.id, ip: context.remoteAddress)
    }

    /// A usager with their relatives and referents, as `GET /usagers/{id}` shows them.
    func detail(_ usager: Usager, _ repository: UsagerRepository, _ representations: APIRepresentations) async throws -> [String: Any] {
        var value = representations.usager(usager)
        value["relative_ids"] = try await repository.relatives(of: usager.id).map { $0.id.uuidString.lowercased() }
        value["referent_agent_ids"] = try await repository.referents(of: usager.id).map { $0.uuidString.lowercased() }.sorted()
        return value
    }

    /// Changes the identity and contact details the usager's record edits, with the record's
    /// checks (`UsagerIdentity`): the fields left out keep their values, null clears an optional
    /// one, and a refusal changes nothing.
    private func updateUsager(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let usagerID = try pathID(context)
        var body = try await APIBody.read(request)
        var given: [String: String] = [:]
        for name in ["first_name", "last_name", "birth_date", "phone", "email", "address"] where body.fields[name] != nil {
            given[name] = body.fields[name] is NSNull ? "" : body.string(name, required: false, maximum: 1000, allowsEmpty: true)
        }
        try body.finish()
        let changes = given
        let representations = representations(context)
        let actor = trailActor(context)
        let data = try await context.database.transaction { connection -> Data in
            let repository = UsagerRepository(connection)
            guard var usager = try await repository.find(usagerID, lock: true) else { throw APIProblem.notFound }
            try APIResponse.check(ifMatch: request, current: try await detail(usager, repository, representations))
            let texts = usager.identityTexts.merging(changes) { $1 }
            let (identity, errors) = UsagerIdentity.read(
                firstName: texts["first_name"] ?? "", lastName: texts["last_name"] ?? "", birthDate: texts["birth_date"] ?? "",
                phone: texts["phone"] ?? "", email: texts["email"] ?? ""
            )
            var problems = errors.map { APIProblem.FieldError(field: $0.field, detail: $0.message) }
            var address = usager.address
            if let text = changes["address"] {
                switch UsagerAddress.read(text) {
                case .success(let line): address = line
                case .failure(let error): problems.append(.init(field: "address", detail: error.message))
                }
            }
            guard let identity, problems.isEmpty else { throw APIProblem.invalid(problems) }
            usager.apply(identity)
            usager.address = address
            try await repository.update(usager)
            try await AccessTrail(connection).record(.changed, usagers: [usager.id], by: actor)
            guard let saved = try await repository.find(usagerID) else { throw APIProblem.notFound }
            return APIResponse.encode(try await detail(saved, repository, representations))
        }
        return APIResponse.json(data: data)
    }
}
