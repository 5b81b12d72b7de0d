import Agenda
import Foundation
import Hummingbird
import Tenancy

/// Usagers of the département: search by name, read with relatives and referents, create.
extension APIRoutes {
    func registerUsagers(on api: RouterGroup<APIRequestContext>) {
        api.get("/usagers") { request, context in
            var query = APIQuery(request)
            let text = query.text("q") ?? ""
            if text.count < 2 || text.count > 100 { query.fail("q", "Ce paramètre est obligatoire : de 2 à 100 lettres du début du prénom ou du nom.") }
            try query.finish()
            let usagers = try await context.database.transaction { connection in
                let repository = UsagerRepository(connection)
                var found: [Usager] = []
                for match in try await repository.search(text) {
                    if let usager = try await repository.find(match.id) { found.append(usager) }
                }
                return found
            }
            return APIResponse.json(["data": usagers.map(representations(context).usager)])
        }
        api.get("/usagers/:id") { request, context in
            let usagerID = try pathID(context)
            let found = try await context.database.transaction { connection -> (Usager, [UUID], Set<UUID>)? in
                let repository = UsagerRepository(connection)
                guard let usager = try await repository.find(usagerID) else { return nil }
                return (usager, try await repository.relatives(of: usagerID).map(\.id), try await repository.referents(of: usagerID))
            }
            guard let (usager, relatives, referents) = found else { throw APIProblem.notFound }
            var value = representations(context).usager(usager)
            value["relative_ids"] = relatives.map { $0.uuidString.lowercased() }
            value["referent_agent_ids"] = referents.map { $0.uuidString.lowercased() }.sorted()
            return APIResponse.conditional(request, value)
        }
        api.post("/usagers") { request, context in
            var body = try await APIBody.read(request)
            let (identity, errors) = UsagerIdentity.read(
                firstName: body.text("first_name"), lastName: body.text("last_name"), birthDate: body.text("birth_date"),
                phone: body.text("phone"), email: body.text("email")
            )
            for error in errors { body.require(false, error.field, error.message) }
            try body.finish()
            guard let identity else { throw APIProblem.invalid(body.errors) }
            let representations = representations(context)
            return try await idempotent(request, context, body: body) { connection in
                let repository = UsagerRepository(connection)
                let id = try await repository.create(
                    firstName: identity.firstName, lastName: identity.lastName, phone: identity.phone, email: identity.email, birthDate: identity.birthDate
                )
                guard let usager = try await repository.find(id) else { throw APIProblem.notFound }
                return ("/api/v1/usagers/\(id.uuidString.lowercased())", APIResponse.encode(representations.usager(usager)))
            }
        }
    }
}
