import Agenda
import Booking
import Foundation
import Hummingbird
import Tenancy

/// Free slots of a motif, and holds: a slot kept five minutes for the token while a partner's
/// form completes, then booked with `hold_id`, released, or left to lapse.
extension APIRoutes {
    func registerSlots(on api: RouterGroup<APIRequestContext>) {
        api.get("/slots") { request, context in
            var query = APIQuery(request)
            let motifID = query.uuid("motif_id")
            if query.text("motif_id") == nil { query.fail("motif_id", "Ce paramètre est obligatoire : le motif dont on cherche les créneaux.") }
            let lieuID = query.uuid("lieu_id"), agentID = query.uuid("agent_id"), from = query.date("from")
            let limit = query.int("limit", in: 1...200) ?? 20
            try query.finish()
            guard let motifID else { throw APIProblem.notFound }
            let tenant = context.tenant
            let start = max(Date(), from ?? .distantPast)
            let slots = try await context.database.transaction { connection in
                guard try await AgendaCatalog(connection).motifs().contains(where: { $0.id == motifID }) else { throw APIProblem.notFound }
                return try await SlotSearch(connection, tenant: tenant).slots(
                    motifID: motifID, now: start, limit: limit, agents: agentID.map { [$0] }, lieu: lieuID
                )
            }
            let representations = representations(context)
            return APIResponse.json(["data": slots.map { representations.slot($0, motifID: motifID) }])
        }
        api.post("/holds") { request, context in
            var body = try await APIBody.read(request)
            let motifID = body.uuid("motif_id"), lieuID = body.uuid("lieu_id"), agentID = body.uuid("agent_id"), start = body.date("starts_at")
            try body.finish()
            guard let motifID, let lieuID, let agentID, let start else { throw APIProblem.invalid(body.errors) }
            let tokenID = context.token.id
            let representations = representations(context)
            return try await idempotent(request, context, body: body) { connection in
                let hold = try await appointments(connection, context).hold(motifID: motifID, lieuID: lieuID, agentID: agentID, start: start, tokenID: tokenID)
                return ("/api/v1/holds/\(hold.id.uuidString.lowercased())", APIResponse.encode(representations.hold(hold)))
            }
        }
        api.get("/holds/:id") { _, context in
            let holdID = try pathID(context)
            let tokenID = context.token.id
            guard let hold = try await context.database.transaction({ try await appointments($0, context).findHold(holdID, tokenID: tokenID) }) else {
                throw APIProblem.notFound
            }
            return APIResponse.json(representations(context).hold(hold))
        }
        api.delete("/holds/:id") { _, context in
            let holdID = try pathID(context)
            let tokenID = context.token.id
            try await context.database.transaction { try await appointments($0, context).release(holdID, tokenID: tokenID) }
            return Response(status: .noContent)
        }
    }
}
