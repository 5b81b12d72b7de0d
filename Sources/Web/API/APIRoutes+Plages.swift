import Agenda
import Booking
import Foundation
import HTTPTypes
import Hummingbird
import Scheduling
import Tenancy

/// Plages d'ouverture written through `PlageChanges`, as the agenda page writes them: in the
/// token's agent's own agenda, the same checks, the same offer of new openings to the waiting
/// list. A change or a deletion checks `If-Match` against the version the client read.
extension APIRoutes {
    func registerPlages(on api: RouterGroup<APIRequestContext>) {
        api.post("/plages") { request, context in
            var body = try await APIBody.read(request)
            let lieuID = body.uuid("lieu_id")
            let motifIDs = body.uuids("motif_ids")
            let span = body.span()
            try body.finish()
            guard let lieuID, let motifIDs, let span else { throw APIProblem.invalid(body.errors) }
            let representations = representations(context)
            return try await idempotent(request, context, body: body, creating: { connection in
                let changes = plageChanges(connection, context)
                let (plageID, warnings) = try await save(changes, nil, lieuID: lieuID, span: span, motifIDs: motifIDs)
                let plage = representations.plage(try await changes.own(plageID))
                return APICreation(
                    location: "/api/v1/plages/\(plageID.uuidString.lowercased())", body: APIResponse.encode(plage),
                    firstAnswer: APIResponse.encode(plage.merging(["warnings": warnings]) { $1 })
                )
            })
        }
        api.patch("/plages/:id") { request, context in
            let plageID = try pathID(context)
            var body = try await APIBody.read(request)
            let given = body.fields
            let lieuID = given["lieu_id"] == nil ? nil : body.uuid("lieu_id")
            let motifIDs = given["motif_ids"] == nil ? nil : body.uuids("motif_ids")
            let spanFields = body.spanFields()
            try body.finish()
            let representations = representations(context)
            let (data, etag) = try await context.database.transaction { connection -> (Data, String) in
                let changes = plageChanges(connection, context)
                let current = try await changes.own(plageID, lock: true)
                try APIResponse.check(ifMatch: request, current: representations.plage(current))
                let span = try spanFields.span(over: PlageSpanDraft(of: current.span))
                let (_, warnings) = try await save(
                    changes, plageID, lieuID: lieuID ?? current.lieuID, span: span,
                    motifIDs: motifIDs ?? current.motifIDs.sorted { $0.uuidString < $1.uuidString }
                )
                let plage = representations.plage(try await changes.own(plageID))
                return (APIResponse.encode(plage.merging(["warnings": warnings]) { $1 }), APIResponse.etag(of: APIResponse.encode(plage)))
            }
            // The ETag is the plage's as GET shows it (without the warnings), for the next If-Match.
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .eTag: etag], body: .init(byteBuffer: ByteBuffer(data: data))
            )
        }
        api.delete("/plages/:id") { request, context in
            let plageID = try pathID(context)
            let representations = representations(context)
            try await context.database.transaction { connection in
                let changes = plageChanges(connection, context)
                try APIResponse.check(ifMatch: request, current: representations.plage(try await changes.own(plageID, lock: true)))
                try await changes.delete(plageID)
            }
            return Response(status: .noContent)
        }
    }

    /// `PlageChanges.save`, its refusals of a field named as the field.
    private func save(_ changes: PlageChanges, _ plageID: UUID?, lieuID: UUID, span: RecurringSpan, motifIDs: [UUID]) async throws -> (id: UUID, warnings: [String]) {
        do {
            return try await changes.save(plageID, lieuID: lieuID, span: span, motifIDs: motifIDs)
        } catch PlageError.noMotif {
            throw APIProblem.invalid([.init(field: "motif_ids", detail: PlageError.noMotif.french)])
        }
    }

    /// The token's agent's plage use cases, in this transaction.
    func plageChanges(_ connection: TenantConnection, _ context: APIRequestContext) -> PlageChanges {
        PlageChanges(connection, tenant: context.tenant, links: services.noticeLinks(context.tenant), agent: context.agent)
    }
}

extension APIBody {
    /// A list of identifiers (duplicates dropped, order kept).
    mutating func uuids(_ name: String) -> [UUID]? {
        guard let value = fields[name], !(value is NSNull) else {
            require(false, name, "Ce champ est obligatoire (une liste d’identifiants).")
            return nil
        }
        guard let texts = value as? [Any], texts.count <= 200 else {
            require(false, name, "Attendu : une liste d’au plus 200 identifiants (UUID).")
            return nil
        }
        var ids: [UUID] = []
        for text in texts {
            guard let id = (text as? String).flatMap(UUID.init(uuidString:)) else {
                require(false, name, "Attendu : une liste d’identifiants (UUID).")
                return nil
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
