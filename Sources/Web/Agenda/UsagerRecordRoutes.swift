import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Privacy
import Scheduling
import Tenancy

/// A usager's record for the agents of the département: identity and contact, relatives,
/// referent agents, appointments, and booking for them.
struct UsagerRecordRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/usagers/:id") { request, context in
            let usager = try await usager(context)
            let actor = AccessTrail.Actor(agentID: context.agent.id, ip: context.remoteAddress)
            try await context.database.transaction { try await AccessTrail($0).record(.viewed, usagers: [usager.id], by: actor) }
            return try await page(request, context, usager: usager)
        }
        group.post("/usagers/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            var usager = try await usager(context)
            let (identity, identityErrors) = Self.identity(from: fields)
            var errors = identityErrors
            // Left out of the form (an older page): the address stays as it is.
            var address = usager.address
            if let text = fields["address"] {
                switch UsagerAddress.read(text) {
                case .success(let line): address = line
                case .failure(let error): errors.append(error.message)
                }
            }
            guard let identity, errors.isEmpty else { return try await page(request, context, usager: usager, form: fields, errors: errors, status: .unprocessableContent) }
            let before = usager
            usager.apply(identity)
            usager.address = address
            let saved = usager
            let actor = AccessTrail.Actor(agentID: context.agent.id, ip: context.remoteAddress)
            let tenant = context.tenant, links = forms.services.noticeLinks(tenant)
            let notified = try await context.database.transaction { connection in
                try await UsagerRepository(connection).update(saved)
                try await AccessTrail(connection).record(.changed, usagers: [saved.id], by: actor)
                // New contacts: the coming appointments' reminders are planned for them.
                guard saved.phone != before.phone || saved.email != before.email else { return [(rdvID: UUID, start: Date)]() }
                return try await AppointmentNotices(connection, tenant: tenant, links: links).contactsChanged(usagerID: saved.id)
            }
            var notice = "Fiche enregistrée."
            if !notified.isEmpty {
                let clock = tenant.clock
                let times = notified.map { FrenchDates.when($0.start, clock) }
                notice += notified.count == 1
                    ? " Le rendez-vous du \(times[0]) sera rappelé à ces coordonnées."
                    : " Les \(notified.count) rendez-vous à venir (\(times.joined(separator: " ; "))) seront rappelés à ces coordonnées."
            }
            return try await page(request, context, usager: saved, notice: notice)
        }
        group.post("/usagers/:id/fusion") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let usager = try await usager(context)
            guard let absorbed = UUID(uuidString: fields["doublon"] ?? "") else { throw PublicError.pageNotFound }
            let trail = AccessTrail.Actor(agentID: context.agent.id, ip: context.remoteAddress)
            let agentID = context.agent.id, ip = context.remoteAddress
            do {
                let moved = try await context.database.transaction { connection in
                    let moved = try await UsagerMerge(connection).merge(absorbed, into: usager.id)
                    try await AuditLog(connection).record(
                        .usagersMerged, actor: agentID, details: ["kept": usager.id.uuidString, "absorbed": absorbed.uuidString, "rdvs": String(moved)], ip: ip
                    )
                    try await AccessTrail(connection).record(.changed, usagers: [usager.id], by: trail)
                    return moved
                }
                let merged = try await self.usager(context)
                return try await page(request, context, usager: merged, notice: "Fiches fusionnées : \(moved) rendez-vous rattaché\(moved > 1 ? "s" : "") à cette fiche.")
            } catch let error as UsagerMergeError {
                return try await page(request, context, usager: usager, errors: [error.french], status: error.status)
            } catch BookingError.rdvNotFound {
                throw PublicError.pageNotFound
            }
        }
        group.post("/usagers/:id/proches") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let usager = try await usager(context)
            guard usager.responsibleID == nil else {
                return try await page(request, context, usager: usager, errors: ["Un proche ne peut pas avoir lui-même de proches : ajoutez-le à la personne responsable."], status: .unprocessableContent)
            }
            let (identity, errors) = Self.identity(from: fields.merging(["phone": "", "email": ""]) { $1 })
            guard let identity else { return try await page(request, context, usager: usager, errors: errors, status: .unprocessableContent) }
            try await context.database.transaction { connection in
                _ = try await UsagerRepository(connection).create(
                    firstName: identity.firstName, lastName: identity.lastName, phone: nil, email: nil, birthDate: identity.birthDate, responsibleID: usager.id
                )
            }
            return try await page(request, context, usager: usager, notice: "Proche ajouté.")
        }
        group.post("/usagers/:id/referents") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let usager = try await usager(context)
            let done = try await context.database.transaction { connection -> Bool in
                // Only an agent of this département.
                guard let agentID = UUID(uuidString: fields["agent"] ?? ""), try await AgentRepository(connection).find(id: agentID) != nil else { return false }
                let repository = UsagerRepository(connection)
                if fields["remove"] == "1" {
                    try await repository.removeReferent(agentID, from: usager.id)
                } else {
                    try await repository.addReferent(agentID, to: usager.id)
                }
                return true
            }
            guard done else { return try await page(request, context, usager: usager, errors: ["Choisissez un agent du département."], status: .unprocessableContent) }
            return try await page(request, context, usager: usager, notice: "Référents mis à jour.")
        }
    }

    /// The usager named by the path; 404 when this département has none.
    private func usager(_ context: AgentRequestContext) async throws -> Usager {
        guard let usagerID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        guard let usager = try await context.database.transaction({ try await UsagerRepository($0).find(usagerID) }) else {
            throw PublicError.pageNotFound
        }
        return usager
    }

    typealias Identity = UsagerIdentity

    /// Identity and contact details from a form, or what is wrong with them.
    static func identity(from fields: [String: String]) -> (Identity?, [String]) {
        let (identity, errors) = UsagerIdentity.read(
            firstName: fields["first_name"] ?? "", lastName: fields["last_name"] ?? "", birthDate: fields["birth_date"] ?? "",
            phone: fields["phone"] ?? "", email: fields["email"] ?? ""
        )
        return (identity, errors.map(\.message))
    }

    static func looksLikeEmail(_ text: String) -> Bool { UsagerIdentity.looksLikeEmail(text) }

    private func page(
        _ request: Request, _ context: AgentRequestContext, usager: Usager, form: [String: String]? = nil,
        errors: [String] = [], notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (relatives, referents, agents, responsible) = try await context.database.transaction { connection in
            let repository = UsagerRepository(connection)
            return (
                try await repository.relatives(of: usager.id), try await repository.referents(of: usager.id),
                try await AgentRepository(connection).all(in: nil), try await usager.responsibleID.asyncMap { try await repository.find($0) } ?? nil
            )
        }
        let (rdvs, duplicates) = try await context.database.transaction {
            (try await RdvQueries($0).of(usagerIDs: [usager.id] + relatives.map(\.id)), try await UsagerMerge($0).duplicates(of: usager))
        }
        let clock = context.tenant.clock
        let now = Date()
        func row(_ rdv: RdvSummary) -> [String: Any] {
            let day = clock.localDate(of: rdv.range.start)
            return [
                "rdvID": rdv.id.uuidString, "motif": rdv.motifName, "status": rdv.status.frenchName,
                "people": rdv.participants.joined(separator: ", "),
                "when": "\(day.weekday.frenchName) \(day.day)/\(day.month)/\(day.year) à \(clock.localTime(of: rdv.range.start).french)",
            ]
        }
        var values: [String: Any] = [
            "pageTitle": "\(usager.fullName) – \(context.tenant.name)", "id": usager.id.uuidString, "name": usager.fullName,
            "canSeeTrail": Policy.can(context.agent.actor, .manageDepartement),
            "form": form ?? [
                "first_name": usager.firstName, "last_name": usager.lastName, "birth_date": usager.birthDate?.description ?? "",
                "phone": usager.phone ?? "", "email": usager.email ?? "", "address": usager.address ?? "",
            ],
            "errors": errors,
            "relatives": relatives.map { ["relativeID": $0.id.uuidString, "relativeName": $0.fullName, "born": $0.birthDate.map { "\($0.day)/\($0.month)/\($0.year)" } ?? ""] },
            "referents": agents.filter { referents.contains($0.id) }.map { ["agentID": $0.id.uuidString, "agentName": $0.fullName] },
            "candidates": agents.filter { !referents.contains($0.id) && !$0.disabled }.map { ["agentID": $0.id.uuidString, "agentName": $0.fullName] },
            "upcoming": rdvs.filter { $0.range.start >= now }.reversed().map(row),
            "past": rdvs.filter { $0.range.start < now }.map(row),
            "canHaveRelatives": usager.responsibleID == nil,
        ]
        values["notice"] = notice
        if !duplicates.isEmpty {
            values["hasDuplicates"] = true
            values["duplicates"] = duplicates.prefix(20).map { other -> [String: String] in
                let details = [other.birthDate.map { "né·e le \($0.day)/\($0.month)/\($0.year)" }, other.phone, other.email].compactMap { $0 }
                return ["dupID": other.id.uuidString, "dupName": other.fullName, "dupDetails": details.joined(separator: " · ")]
            }
        }
        if let responsible { values["responsible"] = ["responsibleID": responsible.id.uuidString, "responsibleName": responsible.fullName] }
        return pages.render("usager_record", values, request: request, context: context, status: status)
    }
}
