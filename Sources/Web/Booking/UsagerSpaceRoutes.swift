import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Scheduling
import Tenancy

/// The usager's own space: their appointments with a link to manage each, their relatives,
/// contact details and preferences, their data to download, and deleting the account.
struct UsagerSpaceRoutes: Sendable {
    let services: IdentityServices
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<UsagerRequestContext>) {
        group.get("/mon-compte") { request, context in try await home(request, context) }
        group.post("/mon-compte/coordonnees") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let phoneText = (fields["telephone"] ?? "").trimmingCharacters(in: .whitespaces)
            let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces)
            var errors: [String] = []
            let phone = PhoneNumber(phoneText)
            if !phoneText.isEmpty, phone == nil { errors.append("Ce numéro n’est pas un numéro français valide (par exemple 06 12 34 56 78).") }
            if !email.isEmpty, !UsagerRecordRoutes.looksLikeEmail(email) { errors.append("Cette adresse électronique n’est pas valide.") }
            guard errors.isEmpty else { return try await home(request, context, errors: errors, status: .unprocessableContent) }
            let contact = UsagerSpace.Contact(phone: phone?.e164, email: email.isEmpty ? nil : email, bySMS: fields["sms"] == "on", byEmail: fields["courriel"] == "on")
            try await withSpace(context) { space, own in try await space.setContact(contact, of: own) }
            return try await home(request, context, notice: "Coordonnées et préférences enregistrées.")
        }
        group.post("/mon-compte/proches") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let (identity, errors) = UsagerRecordRoutes.identity(from: [
                "first_name": fields["prenom"] ?? "", "last_name": fields["nom"] ?? "",
                "birth_date": (fields["naissance"] ?? "").isEmpty ? "" : (LocalDateCheck.iso(fields["naissance"] ?? "") ?? "invalide"),
            ])
            guard let identity else { return try await home(request, context, errors: errors, status: .unprocessableContent) }
            try await withSpace(context) { space, own in
                try await space.addRelative(firstName: identity.firstName, lastName: identity.lastName, birthDate: identity.birthDate, to: own)
            }
            return try await home(request, context, notice: "Proche ajouté.")
        }
        group.get("/mon-compte/donnees.json") { _, context in
            let data = try await export(context)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .contentDisposition: "attachment; filename=\"mes-donnees.json\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(data: data))
            )
        }
        group.get("/mon-compte/donnees") { request, context in
            let data = try await export(context)
            let text = String(decoding: data, as: UTF8.self)
            return pages.render("usager_data", ["pageTitle": "Mes données – \(context.tenant.name)", "json": text],
                                request: request, siteName: context.tenant.name, navigation: navigation(context), sessionToken: context.sessionToken)
        }
        group.post("/mon-compte/suppression") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard (fields["confirmation"] ?? "").trimmingCharacters(in: .whitespaces).uppercased() == "SUPPRIMER" else {
                return try await home(request, context, errors: ["Écrivez SUPPRIMER pour confirmer la suppression du compte."], status: .unprocessableContent)
            }
            let account = context.usager
            try await context.database.transaction { connection in
                try await AuditLog(connection, realm: .usagers).record(.accountDeleted, actor: account.id, subject: account.id, ip: context.remoteAddress)
                try await UsagerSpace(connection, accountID: account.id).deleteAccount()
            }
            return redirect(to: "/?compte=supprime", cookies: [services.expiredCookie(services.usagerCookieName)])
        }
    }

    private func navigation(_ context: UsagerRequestContext) -> TenantPages.Navigation {
        TenantPages.Navigation(home: "/mon-compte", homeLabel: "Mon espace", accountName: context.usager.fullName, accountLink: nil)
    }

    /// Runs `body` with the space and the account's own record.
    private func withSpace(_ context: UsagerRequestContext, _ body: @escaping @Sendable (UsagerSpace, UUID) async throws -> Void) async throws {
        let account = context.usager
        try await context.database.transaction { connection in
            let space = UsagerSpace(connection, accountID: account.id)
            try await body(space, try await space.ownRecord(firstName: account.firstName, lastName: account.lastName, email: account.email))
        }
    }

    private func export(_ context: UsagerRequestContext) async throws -> Data {
        let account = context.usager
        return try await context.database.transaction { connection in
            try await AuditLog(connection, realm: .usagers).record(.dataExported, actor: account.id, subject: account.id, ip: context.remoteAddress)
            return try await UsagerSpace(connection, accountID: account.id).export(account: [
                "email": account.email, "prenom": account.firstName, "nom": account.lastName, "departement": context.tenant.name,
            ])
        }
    }

    private func home(_ request: Request, _ context: UsagerRequestContext, notice: String? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let account = context.usager
        let tenant = context.tenant
        let (rdvs, contact, relatives) = try await context.database.transaction { connection in
            let space = UsagerSpace(connection, accountID: account.id)
            let own = try await space.ownRecord(firstName: account.firstName, lastName: account.lastName, email: account.email)
            return (
                try await PublicRdvRepository(connection).of(accountID: account.id), try await space.contact(of: own),
                try await UsagerRepository(connection).relatives(of: own)
            )
        }
        let clock = tenant.clock
        let now = Date()
        func row(_ rdv: PublicRdv) -> [String: Any] {
            var item: [String: Any] = [
                "motif": rdv.motifName, "when": FrenchDates.when(rdv.start, clock), "person": "\(rdv.attendeeFirstName) \(rdv.attendeeLastName)",
                "status": BookingRoutes.publicStatus(rdv.status), "manage": "/g/" + (ManageRoutes.link(rdv, tenant: tenant, configuration: services.configuration).components(separatedBy: "/g/").last ?? ""),
            ]
            if let lieu = rdv.lieuName { item["lieu"] = lieu }
            return item
        }
        let upcoming = rdvs.filter { $0.end > now && $0.status.holdsTime }.reversed().map(row)
        let past = rdvs.filter { !($0.end > now && $0.status.holdsTime) }.map(row)
        var values: [String: Any] = [
            "pageTitle": "Mon espace – \(tenant.name)", "fullName": account.fullName, "email": account.email,
            "upcoming": upcoming, "hasUpcoming": !upcoming.isEmpty, "past": past, "hasPast": !past.isEmpty,
            "phone": contact.phone ?? "", "contactEmail": contact.email ?? "", "bySMS": contact.bySMS, "byEmail": contact.byEmail,
            "relatives": relatives.map { ["name": $0.fullName] }, "hasRelatives": !relatives.isEmpty, "errors": errors,
        ]
        values["notice"] = notice
        return pages.render("usager_home", values, request: request, siteName: tenant.name, navigation: navigation(context), sessionToken: context.sessionToken, status: status)
    }
}
