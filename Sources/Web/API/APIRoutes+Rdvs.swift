import Agenda
import Booking
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Tenancy

/// Appointments: listing with filters and cursor, reading with its ETag, creating (idempotent,
/// through a hold or not), and the changes agents make on the pages.
extension APIRoutes {
    func registerRdvs(on api: RouterGroup<APIRequestContext>) {
        api.get("/rdvs") { request, context in try await listRdvs(request, context) }
        api.get("/rdvs/:id") { request, context in
            let rdvID = try pathID(context)
            let record = try await context.database.transaction { try await appointments($0, context).record(rdvID) }
            return APIResponse.conditional(request, representations(context).rdv(record))
        }
        api.post("/rdvs") { request, context in try await createRdv(request, context) }
        api.patch("/rdvs/:id") { request, context in
            var body = try await APIBody.read(request)
            let notes = body.string("notes", required: true, maximum: AgentAppointments.notesLimit, allowsEmpty: true)
            try body.finish()
            return try await change(request, context) { try await $0.setNotes($1, notes ?? "") }
        }
        api.post("/rdvs/:id/move") { request, context in
            var body = try await APIBody.read(request)
            let start = body.date("starts_at")
            try body.finish()
            guard let start else { throw APIProblem.invalid(body.errors) }
            return try await change(request, context) { try await $0.move($1, to: start) }
        }
        api.post("/rdvs/:id/cancel") { request, context in
            var status = RdvStatus.revoked
            if request.headers[.contentType] != nil {
                var body = try await APIBody.read(request)
                if let reason = body.string("reason", required: false, maximum: 20) {
                    body.require(reason == "excused" || reason == "revoked", "reason", "Valeurs : excused (à la demande de l’usager) ou revoked (par le service).")
                    status = reason == "excused" ? .excused : .revoked
                }
                try body.finish()
            }
            let chosen = status
            return try await change(request, context) { try await $0.setStatus($1, to: chosen) }
        }
        api.put("/rdvs/:id/status") { request, context in
            var body = try await APIBody.read(request)
            let status = body.status()
            try body.finish()
            guard let status else { throw APIProblem.invalid(body.errors) }
            return try await change(request, context) { try await $0.setStatus($1, to: status) }
        }
    }

    /// One change to the appointment of the path, in one transaction, refused with 412 when the
    /// client's `If-Match` names an older version; the answer is the appointment as it now is.
    func change(
        _ request: Request, _ context: APIRequestContext, _ body: @escaping @Sendable (AgentAppointments, UUID) async throws -> Void
    ) async throws -> Response {
        let rdvID = try pathID(context)
        let representations = representations(context)
        let data = try await context.database.transaction { connection -> Data in
            let appointments = appointments(connection, context)
            let current = try await appointments.record(rdvID, lock: true)
            try APIResponse.check(ifMatch: request, current: representations.rdv(current))
            try await body(appointments, rdvID)
            return APIResponse.encode(representations.rdv(try await appointments.record(rdvID)))
        }
        return APIResponse.json(data: data)
    }

    private func listRdvs(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var query = APIQuery(request)
        var filter = RdvFilter()
        filter.from = query.date("from")
        filter.to = query.date("to")
        filter.organisationID = query.uuid("organisation_id")
        filter.motifID = query.uuid("motif_id")
        filter.agentID = query.uuid("agent_id")
        if let text = query.text("status") {
            filter.status = RdvStatus(rawValue: text)
            if filter.status == nil { query.fail("status", "Valeurs : unknown, seen, noshow, excused, revoked.") }
        }
        let limit = query.int("limit", in: 1...100) ?? 50
        if let cursor = query.text("cursor") {
            filter.after = APICursor.decode(cursor)
            if filter.after == nil { query.fail("cursor", "Ce curseur n’est pas valide : reprenez celui de la page précédente (next_cursor).") }
        }
        try query.finish()
        filter.limit = limit + 1
        let chosen = filter
        let records = try await context.database.transaction { try await appointments($0, context).records(chosen) }
        let page = Array(records.prefix(limit))
        var headers: HTTPFields = [:]
        var next: Any = NSNull()
        if records.count > limit, let last = page.last {
            let cursor = APICursor.encode(start: last.range.start, id: last.id)
            next = cursor
            headers[.link] = "<\(APICursor.link(request, cursor: cursor))>; rel=\"next\""
        }
        let representations = representations(context)
        return APIResponse.json(["data": page.map(representations.rdv), "next_cursor": next], headers: headers)
    }

    private func createRdv(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await APIBody.read(request)
        let motifID = body.uuid("motif_id"), lieuID = body.uuid("lieu_id"), agentID = body.uuid("agent_id")
        let start = body.date("starts_at")
        let holdID = body.uuid("hold_id", required: false)
        let attendee = body.attendee()
        try body.finish()
        guard let motifID, let lieuID, let agentID, let start, let attendee else { throw APIProblem.invalid(body.errors) }
        let tokenID = context.token.id
        let representations = representations(context)
        do {
            return try await idempotent(request, context, body: body) { connection in
                let appointments = appointments(connection, context)
                let rdvID = try await appointments.book(
                    motifID: motifID, lieuID: lieuID, agentID: agentID, start: start, for: attendee, via: (tokenID, holdID)
                )
                return ("/api/v1/rdvs/\(rdvID.uuidString.lowercased())", APIResponse.encode(representations.rdv(try await appointments.record(rdvID))))
            }
        } catch BookingError.slotTaken {
            let tenant = context.tenant
            let nearest = try await context.database.transaction { connection in
                try await SlotSearch(connection, tenant: tenant).nearestSlots(to: start, motifID: motifID, now: Date(), lieu: lieuID)
            }
            var problem = APIProblem(BookingError.slotTaken, logger: context.logger)
            problem.nearestSlots = nearest.map { representations.slot($0, motifID: motifID) }
            throw problem
        }
    }
}

/// Where a page of a listing ends: the last item's start and id, opaque to clients.
enum APICursor {
    static func encode(start: Date, id: UUID) -> String {
        Data("\(Int64(start.timeIntervalSince1970 * 1000))_\(id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (start: Date, id: UUID)? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard cursor.count < 120, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "_")
        guard parts.count == 2, let millis = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (Date(timeIntervalSince1970: Double(millis) / 1000), id)
    }

    /// The request's own path and query with `cursor` replaced (a relative reference, RFC 8288).
    static func link(_ request: Request, cursor: String) -> String {
        var items = (URLComponents(string: request.uri.string)?.queryItems ?? []).filter { $0.name != "cursor" }
        items.append(URLQueryItem(name: "cursor", value: cursor))
        var components = URLComponents()
        components.path = request.uri.path
        components.queryItems = items
        return components.string ?? request.uri.path
    }
}
