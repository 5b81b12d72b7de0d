import Agenda
import Booking
import Foundation
import Hummingbird
import Scheduling
import Tenancy

/// The reception desk's day at one lieu: every appointment across agents, with one-click
/// arrival, seen, no-show and excused, usable on a tablet and printable on one A4 page.
struct LieuDayRoutes: Sendable {
    let rdvs: RdvRoutes

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/agenda/lieux/:id/jour") { request, context in try await page(request, context) }
        group.post("/agenda/lieux/:id/jour/:rdv") { request, context in
            let fields = try await rdvs.forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let lieuID = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let rdvID = context.parameters.get("rdv").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            let action = fields["action"] ?? ""
            let status: RdvStatus? = switch action {
            case "vu": .seen
            case "absent": .noshow
            case "excuse": .excused
            case "arrive": nil
            default: throw PublicError(.badRequest, title: "Action inconnue", detail: "Choisissez arrivé, vu, absent ou excusé.")
            }
            let day = fields["date"].flatMap(LocalDate.init(iso:))
            let refusal: (String, HTTPResponse.Status)? = try await {
                do {
                    try await context.database.transaction { connection in
                        let appointments = rdvs.appointments(connection, context)
                        // The appointment must be one of this lieu's (a forged pair finds nothing).
                        guard try await RdvRecords(connection).find(rdvID)?.lieuID == lieuID else { throw BookingError.rdvNotFound }
                        if let status { try await appointments.setStatus(rdvID, to: status) } else { try await appointments.markArrived(rdvID) }
                    }
                    return nil
                } catch let error as any DomainError where error.refusal != .notFound && error.refusal != .forbidden {
                    return (error.french, error.status)
                }
            }()
            if let (error, status) = refusal { return try await page(request, context, day: day, error: error, status: status) }
            return redirect(to: "/agenda/lieux/\(lieuID)/jour?date=\(day?.description ?? "")#rdv-\(rdvID)")
        }
    }

    private func page(_ request: Request, _ context: AgentRequestContext, day asked: LocalDate? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let lieuID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        let clock = context.tenant.clock
        let today = clock.localDate(of: Date())
        let day = asked ?? request.uri.queryParameters["date"].flatMap { LocalDate(iso: String($0)) } ?? today
        let found: (lieu: Lieu, lines: [LieuDayLine])
        do {
            found = try await context.database.transaction { try await rdvs.appointments($0, context).day(atLieu: lieuID, day) }
        } catch BookingError.rdvNotFound {
            throw PublicError.pageNotFound
        }
        let held = found.lines.filter { $0.status.holdsTime }
        let lines: [[String: Any]] = found.lines.map { line in
            var values: [String: Any] = [
                "id": line.id.uuidString, "time": "\(clock.localTime(of: line.range.start).french) – \(clock.localTime(of: line.range.end).french)",
                "people": line.people.joined(separator: ", "), "motif": line.motifName, "agents": line.agentNames.joined(separator: ", "),
                "status": line.status.frenchName, "cancelled": !line.status.holdsTime,
            ]
            if let arrived = line.arrivedAt, line.status == .unknown { values["arrived"] = "Arrivé à \(clock.localTime(of: arrived).french)" }
            if let confirmation = line.confirmation, line.status == .unknown {
                values["confirmation"] = confirmation.frenchName
                values["unconfirmed"] = confirmation.needsAttention
            }
            // A collective session's attendance is set per participant, on its page.
            if line.editable, !line.collective, line.status.holdsTime {
                var actions: [[String: String]] = []
                if line.status == .unknown, line.arrivedAt == nil { actions.append(["value": "arrive", "label": "Arrivé"]) }
                if line.status != .seen { actions.append(["value": "vu", "label": "Vu"]) }
                if line.status != .noshow { actions.append(["value": "absent", "label": "Absent"]) }
                actions.append(["value": "excuse", "label": "Excusé"])
                values["actions"] = actions
            }
            return values
        }
        var values: [String: Any] = [
            "pageTitle": "\(found.lieu.name), \(FrenchDates.day(day)) – \(context.tenant.name)",
            "lieu": found.lieu.name, "address": found.lieu.address, "lieuID": lieuID.uuidString,
            "day": FrenchDates.day(day), "date": day.description,
            "previous": day.adding(days: -1).description, "next": day.adding(days: 1).description, "today": today.description,
            "rdvs": lines, "count": held.count, "arrivedCount": held.filter { $0.arrivedAt != nil && $0.status == .unknown }.count,
        ]
        if lines.isEmpty { values["empty"] = true }
        if let error { values["errors"] = [error] }
        return rdvs.pages.render("lieu_day", values, request: request, context: context, status: status)
    }
}
