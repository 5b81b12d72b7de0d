import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// The list of appointments of the agendas an agent may read, with filters (dates, agent,
/// lieu, motif, status, origin) and the count; past ones whose outcome is unknown are filled in
/// many at once.
struct RdvListRoutes: Sendable {
    let rdvs: RdvRoutes

    static let shown = 200

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/rdv") { request, context in try await page(request, context) }
        group.post("/rdv/renseigner") { request, context in
            let fields = try await rdvs.forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let status: RdvStatus
            switch fields["issue"] {
            case "seen": status = .seen
            case "noshow": status = .noshow
            default: throw PublicError(.badRequest, title: "Issue manquante", detail: "Choisissez « vus » ou « absents ».")
            }
            let chosen = fields.compactMap { key, value in value == "on" && key.hasPrefix("rdv_") ? UUID(uuidString: String(key.dropFirst(4))) : nil }
            let back = fields["retour"].flatMap { $0.hasPrefix("/rdv?") || $0 == "/rdv" ? $0 : nil } ?? "/rdv"
            guard !chosen.isEmpty else { return try await page(request, context, query: back, errors: ["Cochez au moins un rendez-vous."], status: .unprocessableContent) }
            do {
                let count = try await context.database.transaction { try await rdvs.appointments($0, context).setOutcomes(chosen, to: status) }
                return try await page(request, context, query: back, notice: "\(count) rendez-vous renseigné\(count > 1 ? "s" : "") : \(status.frenchName.lowercased()).")
            } catch let error as any DomainError where error.refusal != .notFound {
                return try await page(request, context, query: back, errors: [error.french], status: error.status)
            }
        }
    }

    /// The filter a query asks for; unknown ids simply match nothing.
    static func filter(_ query: [String: String], clock: WallClock) -> RdvFilter {
        var filter = RdvFilter()
        if let from = query["du"].flatMap(LocalDate.init(iso:)) { filter.from = clock.instant(from, LocalTime(minutes: 0)!) }
        if let to = query["au"].flatMap(LocalDate.init(iso:)) { filter.to = clock.instant(to.adding(days: 1), LocalTime(minutes: 0)!) }
        filter.agentID = query["agent"].flatMap(UUID.init(uuidString:))
        filter.lieuID = query["lieu"].flatMap(UUID.init(uuidString:))
        filter.motifID = query["motif"].flatMap(UUID.init(uuidString:))
        if query["statut"] == "a_renseigner" {
            filter.outcomeUnknownBefore = Date()
        } else {
            filter.status = query["statut"].flatMap(RdvStatus.init(rawValue:))
        }
        filter.createdBy = query["origine"].flatMap { ["agent", "usager", "waiting_list", "api"].contains($0) ? $0 : nil }
        filter.limit = shown
        return filter
    }

    private func page(
        _ request: Request, _ context: AgentRequestContext, query path: String? = nil, notice: String? = nil, errors: [String] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let query: [String: String] = if let path {
            Dictionary((URLComponents(string: path)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        } else {
            Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { $1 }
        }
        let clock = context.tenant.clock
        let filter = Self.filter(query, clock: clock)
        let (records, count, agents, lieux, motifs, visible) = try await context.database.transaction { connection in
            let listing = try await rdvs.appointments(connection, context).listing(filter)
            return (
                listing.records, listing.count, try await AgentRepository(connection).all(in: nil),
                try await AgendaCatalog(connection).lieux(includingDisabled: true), try await AgendaCatalog(connection).motifs(),
                Set(listing.visibleAgents)
            )
        }
        let agentNames = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.fullName) })
        let lieuNames = Dictionary(uniqueKeysWithValues: lieux.map { ($0.id, $0.name) })
        let now = Date()
        let rows: [[String: Any]] = records.map { record in
            let day = clock.localDate(of: record.range.start)
            var values: [String: Any] = [
                "id": record.id.uuidString, "when": "\(FrenchDates.numeric(day)) \(clock.localTime(of: record.range.start).french)",
                "motif": record.motifName, "lieu": record.lieuID.flatMap { lieuNames[$0] } ?? "—",
                "agents": record.agentIDs.compactMap { agentNames[$0] }.joined(separator: ", "),
                "people": record.participants.map { "\($0.firstName) \($0.lastName)" }.joined(separator: ", "),
                "status": record.status.frenchName, "cancelled": !record.status.holdsTime,
            ]
            if record.status == .unknown, record.range.end < now { values["pending"] = true }
            return values
        }
        func options(_ items: [(UUID, String)], selected: String?) -> [[String: Any]] {
            items.sorted { $0.1 < $1.1 }.map { ["value": $0.0.uuidString, "label": $0.1, "selected": $0.0.uuidString == selected] }
        }
        let statuses: [(String, String)] = [("a_renseigner", "Passés, à renseigner")] + RdvStatus.allCases.map { ($0.rawValue, $0.frenchName) }
        let origins = [("agent", "Un agent"), ("usager", "L’usager en ligne"), ("waiting_list", "La liste d’attente"), ("api", "Un logiciel partenaire (API)")]
        let back = "/rdv?" + ["du", "au", "agent", "lieu", "motif", "statut", "origine"].compactMap { key in
            query[key].flatMap { $0.isEmpty ? nil : "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        }.joined(separator: "&")
        var values: [String: Any] = [
            "pageTitle": "Rendez-vous – \(context.tenant.name)", "rdvs": rows, "count": count,
            "countLabel": count == 0 ? "Aucun rendez-vous" : "\(count) rendez-vous",
            "truncated": count > rows.count ? "Les \(rows.count) premiers sont affichés : précisez les filtres pour voir les autres." : "",
            "du": query["du"] ?? "", "au": query["au"] ?? "",
            "agents": options(agents.filter { visible.contains($0.id) }.map { ($0.id, $0.fullName) }, selected: query["agent"]),
            "lieux": options(lieux.map { ($0.id, $0.name) }, selected: query["lieu"]),
            "motifs": options(motifs.map { ($0.id, $0.name) }, selected: query["motif"]),
            "statuses": statuses.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == query["statut"]] },
            "origins": origins.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == query["origine"]] },
            "retour": back, "errors": errors, "has_rdvs": !rows.isEmpty,
        ]
        if rows.contains(where: { $0["pending"] != nil }) { values["hasPending"] = true }
        if (values["truncated"] as? String)?.isEmpty == true { values["truncated"] = nil }
        values["notice"] = notice
        return rdvs.pages.render("rdv_list", values, request: request, context: context, status: status)
    }
}
