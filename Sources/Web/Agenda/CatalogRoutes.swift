import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Notifications
import Tenancy

/// A motif's page with all its rules, archiving it, and a lieu's page with its status: for the
/// administrators of the organisation that owns them.
struct CatalogRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/organisation/motifs/:id") { request, context in
            let (motifID, found) = try await motif(context)
            return try await motifPage(request, context, motifID: motifID, fields: try await motifFields(context, motifID, found.rules), archived: found.archived)
        }
        group.post("/organisation/motifs/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (motifID, found) = try await motif(context)
            let (rules, errors) = MotifForm.rules(from: fields.merging(["full": "1"]) { $1 }, base: found.rules)
            guard let rules else {
                return try await motifPage(request, context, motifID: motifID, fields: fields, archived: found.archived, errors: errors, status: .unprocessableContent)
            }
            let level = SectorisationLevel(rawValue: fields["sectorisation_level"] ?? "") ?? .departement
            let (reminders, reminderErrors) = ReminderForm.policy(from: fields)
            let ownReminders = fields["rappels_propres"] == "on"
            guard reminderErrors.isEmpty else {
                return try await motifPage(request, context, motifID: motifID, fields: fields, archived: found.archived, errors: reminderErrors, status: .unprocessableContent)
            }
            let saved = try await context.database.transaction { connection -> Bool in
                guard try await AgendaCatalog(connection).services().contains(where: { $0.id == rules.serviceID }),
                      try await MotifRepository(connection).update(motifID, rules)
                else { return false }
                try await MotifReminderPolicy(connection).set(ownReminders ? reminders : nil, of: motifID)
                return try await MotifSectorisation(connection).setLevel(level, ofMotif: motifID)
            }
            guard saved else {
                return try await motifPage(
                    request, context, motifID: motifID, fields: fields, archived: found.archived,
                    errors: ["Un autre motif porte déjà ce nom, ou le service n’existe pas."], status: .conflict
                )
            }
            return try await motifPage(request, context, motifID: motifID, fields: try await motifFields(context, motifID, rules), archived: found.archived, notice: "Motif enregistré.")
        }
        group.post("/organisation/motifs/:id/archive") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (motifID, found) = try await motif(context)
            let archive = fields["archived"] == "1"
            try await context.database.transaction { try await MotifRepository($0).setArchived(motifID, archive) }
            return try await motifPage(
                request, context, motifID: motifID, fields: try await motifFields(context, motifID, found.rules), archived: archive,
                notice: archive ? "Motif archivé : il ne s’offre plus à la réservation." : "Motif rétabli."
            )
        }
        group.get("/organisation/lieux/:id") { request, context in
            let lieu = try await lieu(context)
            return lieuPage(request, context, lieu: lieu, fields: [
                "name": lieu.name, "address": lieu.address, "phone": lieu.phone ?? "", "status": lieu.status.rawValue,
            ])
        }
        group.post("/organisation/lieux/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let lieu = try await lieu(context)
            let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let address = (fields["address"] ?? "").trimmingCharacters(in: .whitespaces)
            let phone = (fields["phone"] ?? "").trimmingCharacters(in: .whitespaces)
            let status = LieuStatus(rawValue: fields["status"] ?? "")
            var errors: [String] = []
            if !(1...200).contains(name.storedLength) { errors.append("Le nom du lieu compte de 1 à 200 caractères.") }
            if address.isEmpty { errors.append("L’adresse du lieu est obligatoire.") }
            if status == nil { errors.append("Choisissez l’état du lieu.") }
            guard errors.isEmpty, let status else {
                return lieuPage(request, context, lieu: lieu, fields: fields, errors: errors, status: .unprocessableContent)
            }
            let saved = try await context.database.transaction { connection in
                try await AgendaCatalog(connection).updateLieu(lieu.id, name: name, address: address, phone: phone.isEmpty ? nil : phone, status: status)
            }
            guard saved else { return lieuPage(request, context, lieu: lieu, fields: fields, errors: ["Un autre lieu porte déjà ce nom."], status: .conflict) }
            return lieuPage(request, context, lieu: lieu, fields: fields, notice: "Lieu enregistré.")
        }
    }

    /// The form fields of a motif: its rules and its sectorisation level.
    private func motifFields(_ context: AgentRequestContext, _ motifID: UUID, _ rules: MotifRules) async throws -> [String: String] {
        let (level, reminders) = try await context.database.transaction {
            (try await MotifSectorisation($0).level(ofMotif: motifID), try await MotifReminderPolicy($0).policy(of: motifID))
        }
        var fields = MotifForm.fields(of: rules).merging(["sectorisation_level": (level ?? .departement).rawValue]) { $1 }
        if let reminders {
            fields["rappels_propres"] = "on"
            for (index, reminder) in reminders.reminders.prefix(3).enumerated() {
                fields["rappel_\(index + 1)_heures"] = String(reminder.minutes / 60)
                for channel in reminder.channels { fields["rappel_\(index + 1)_\(channel.rawValue)"] = "on" }
            }
        }
        return fields
    }

    /// The motif named by the path, if this agent manages its organisation; 404 when this département has none.
    private func motif(_ context: AgentRequestContext) async throws -> (UUID, (organisationID: UUID, rules: MotifRules, archived: Bool)) {
        guard let motifID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        let found = try await context.database.transaction { try await MotifRepository($0).find(motifID) }
        guard let found else { throw PublicError.pageNotFound }
        try context.require(.manageOrganisation(found.organisationID))
        return (motifID, found)
    }

    private func lieu(_ context: AgentRequestContext) async throws -> Lieu {
        guard let lieuID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        let lieu = try await context.database.transaction { connection in
            try await AgendaCatalog(connection).lieux(includingDisabled: true).first { $0.id == lieuID }
        }
        guard let lieu else { throw PublicError.pageNotFound }
        try context.require(.manageOrganisation(lieu.organisationID))
        return lieu
    }

    private func motifPage(
        _ request: Request, _ context: AgentRequestContext, motifID: UUID, fields: [String: String], archived: Bool,
        errors: [String] = [], notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let services = try await context.database.transaction { try await AgendaCatalog($0).services() }
        var values: [String: Any] = [
            "pageTitle": "Motif « \(fields["name"] ?? "") » – \(context.tenant.name)",
            "id": motifID.uuidString, "form": fields, "errors": errors, "archived": archived,
            "services": services.map { ["id": $0.id.uuidString, "name": $0.name, "selected": fields["service"] == $0.id.uuidString] },
            "locations": LocationType.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["location_type"] == $0.rawValue] },
            "levels": SectorisationLevel.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["sectorisation_level"] == $0.rawValue] },
            "bookable": BookableBy.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["bookable_by"] == $0.rawValue] },
            "unconfirmed_actions": UnconfirmedAction.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["unconfirmed_action"] == $0.rawValue] },
        ]
        for box in ["collective", "cancellable", "movable", "follow_up_only", "sensitive", "several", "rappels_propres", "confirmation", "release_sensitive"] { values["is_\(box)"] = fields[box] == "on" }
        values["reminders"] = (1...3).map { index -> [String: Any] in
            ["index": index, "hours": fields["rappel_\(index)_heures"] ?? "", "sms": fields["rappel_\(index)_sms"] == "on", "email": fields["rappel_\(index)_email"] == "on"]
        }
        values["notice"] = notice
        return pages.render("motif_form", values, request: request, context: context, status: status)
    }

    private func lieuPage(
        _ request: Request, _ context: AgentRequestContext, lieu: Lieu, fields: [String: String],
        errors: [String] = [], notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values: [String: Any] = [
            "pageTitle": "Lieu « \(lieu.name) » – \(context.tenant.name)", "id": lieu.id.uuidString, "form": fields, "errors": errors,
            "statuses": LieuStatus.allCases.map { ["value": $0.rawValue, "label": $0.frenchName, "selected": fields["status"] == $0.rawValue] },
        ]
        values["notice"] = notice
        return pages.render("lieu_form", values, request: request, context: context, status: status)
    }
}
