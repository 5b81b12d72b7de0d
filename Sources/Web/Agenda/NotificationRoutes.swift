import Agenda
import Crypto
import Foundation
import Hummingbird
import Identity
import Notifications
import Tenancy

/// The département's notifications, for its administrators: sender, SMS provider (its key never
/// shown back), reminders and caps; messages given up on, with a retry button; SMS segments per
/// month. And the endpoint where the SMS provider posts its delivery receipts.
struct NotificationRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(agent group: RouterGroup<AgentRequestContext>, tenant router: Router<TenantRequestContext>) {
        group.get("/notifications") { request, context in
            try context.require(.manageDepartement)
            return try await page(request, context)
        }
        group.post("/notifications/reglages") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            return try await save(fields, request, context)
        }
        group.post("/notifications/:id/reessayer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            guard try await context.database.transaction({ try await MessageLog($0).retry(id) }) else { throw PublicError.pageNotFound }
            return try await page(request, context, notice: "Le message repart : il sera envoyé dans un instant.")
        }
        router.post("/notifications/accuses/:token") { request, context in
            guard let token = context.parameters.get("token"), token == receiptToken(context.tenant) else { throw PublicError.pageNotFound }
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
                  let reference = json["reference"] as? String, let status = json["status"] as? String, ["delivered", "failed"].contains(status)
            else {
                throw PublicError(.badRequest, title: "Accusé illisible", detail: "Attendu : {\"reference\": \"…\", \"status\": \"delivered\" ou \"failed\"}.")
            }
            let detail = String((json["error"] as? String ?? "échec signalé").prefix(200))
            let found = try await context.database.transaction {
                try await DeliveryReceipts($0).apply(reference: String(reference.prefix(200)), delivered: status == "delivered", detail: detail)
            }
            guard found else { throw PublicError(.notFound, title: "Message inconnu", detail: "Aucun message ne porte cette référence.") }
            return Response(status: .noContent)
        }
    }

    /// The secret part of the receipts address: proper to the département, derived from the platform's key.
    func receiptToken(_ tenant: Tenant) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("receipts|\(tenant.schemaName)".utf8), using: SymmetricKey(data: forms.services.configuration.secretKey))
        return Data(code).prefix(18).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    private func save(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        var errors: [String] = []
        let provider = fields["sms_provider"] ?? "sandbox"
        let endpoint = (fields["sms_endpoint"] ?? "").trimmingCharacters(in: .whitespaces)
        let key = (fields["sms_api_key"] ?? "").trimmingCharacters(in: .whitespaces)
        let smsCap = Int(fields["sms_daily_cap"] ?? "") ?? 0, emailCap = Int(fields["email_daily_cap"] ?? "") ?? 0
        let keyHeader = (fields["sms_key_header"] ?? "X-API-Key").trimmingCharacters(in: .whitespaces)
        let template = (fields["sms_body_template"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let idField = (fields["sms_id_field"] ?? "id").trimmingCharacters(in: .whitespaces)
        if !["sandbox", "http_json", "generic_json"].contains(provider) { errors.append("Choisissez un fournisseur SMS.") }
        if provider == "generic_json" {
            if keyHeader.isEmpty || !keyHeader.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                errors.append("L’en-tête de la clé s’écrit en lettres, chiffres et tirets (par exemple Authorization).")
            }
            if !template.contains("{{to}}") || !template.contains("{{text}}")
                || SMSBodyTemplate.body(template: template, to: "+33600000000", text: "essai \"1\"", from: "X", reference: "r") == nil {
                errors.append("Le modèle de requête est un JSON qui contient {{to}} et {{text}} (et au besoin {{from}}, {{reference}}).")
            }
        }
        if provider != "sandbox", !endpoint.hasPrefix("https://"), !endpoint.hasPrefix("http://127.0.0.1") {
            errors.append("L’adresse du fournisseur SMS commence par https://.")
        }
        if !(1...50).contains(smsCap) || !(1...100).contains(emailCap) { errors.append("Les plafonds vont de 1 à 50 SMS et de 1 à 100 courriels par jour et par destinataire.") }
        let (policy, reminderErrors) = ReminderForm.policy(from: fields)
        errors += reminderErrors
        let sender = String((fields["sender_name"] ?? "").trimmingCharacters(in: .whitespaces).prefix(60))
        let smsSender = String((fields["sms_sender"] ?? "").trimmingCharacters(in: .whitespaces).prefix(11))
        if !smsSender.isEmpty, !smsSender.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            errors.append("Le nom d’expéditeur SMS compte au plus 11 lettres ou chiffres, sans accent.")
        }
        guard errors.isEmpty else { return try await page(request, context, errors: errors, form: fields, status: .unprocessableContent) }
        let sealed = key.isEmpty ? nil : try CredentialBox(secret: forms.services.configuration.secretKey).seal(key)
        var settings = NotificationSettings(
            senderName: sender, smsEnabled: fields["sms_enabled"] == "on", smsProvider: provider, smsEndpoint: endpoint, smsSender: smsSender,
            hasSMSKey: false, reminderPolicy: policy, smsDailyCap: smsCap, emailDailyCap: emailCap
        )
        (settings.smsKeyHeader, settings.smsBodyTemplate, settings.smsIDField) = (keyHeader.isEmpty ? "X-API-Key" : keyHeader, template, idField.isEmpty ? "id" : idField)
        settings.confirmationReleaseAllowed = fields["confirmation_release_allowed"] == "on"
        let saved = settings
        try await context.database.transaction { try await saved.save($0, sealedKey: sealed) }
        return try await page(request, context, notice: "Réglages enregistrés.")
    }

    private func page(
        _ request: Request, _ context: AgentRequestContext, notice: String? = nil, errors: [String] = [], form: [String: String]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (settings, dead, months, noShows) = try await context.database.transaction { connection in
            (
                try await NotificationSettings.load(connection), try await MessageLog(connection).deadLetters(),
                try await MessageLog(connection).smsSegmentsByMonth(), try await NoShowReport(connection).lines()
            )
        }
        let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        var values: [String: Any] = [
            "pageTitle": "Notifications – \(context.tenant.name)", "errors": errors,
            "senderName": form?["sender_name"] ?? settings.senderName, "smsEnabled": form.map { $0["sms_enabled"] == "on" } ?? settings.smsEnabled,
            "sandbox": (form?["sms_provider"] ?? settings.smsProvider) == "sandbox", "httpJSON": (form?["sms_provider"] ?? settings.smsProvider) == "http_json",
            "genericJSON": (form?["sms_provider"] ?? settings.smsProvider) == "generic_json",
            "keyHeader": form?["sms_key_header"] ?? settings.smsKeyHeader, "bodyTemplate": form?["sms_body_template"] ?? settings.smsBodyTemplate,
            "idField": form?["sms_id_field"] ?? settings.smsIDField,
            "smsEndpoint": form?["sms_endpoint"] ?? settings.smsEndpoint, "smsSender": form?["sms_sender"] ?? settings.smsSender,
            "hasKey": settings.hasSMSKey, "smsCap": form?["sms_daily_cap"] ?? String(settings.smsDailyCap),
            "emailCap": form?["email_daily_cap"] ?? String(settings.emailDailyCap),
            "reminders": ReminderForm.rows(settings.reminderPolicy),
            "releaseAllowed": form.map { $0["confirmation_release_allowed"] == "on" } ?? settings.confirmationReleaseAllowed,
            "receiptURL": forms.services.configuration.publicURL(slug: context.tenant.slug) + "/notifications/accuses/\(receiptToken(context.tenant))",
            "dead": dead.map { message in
                [
                    "id": message.id.uuidString, "channel": message.channel == .sms ? "SMS" : "Courriel", "kind": message.frenchKind,
                    "to": message.recipient, "error": message.lastError ?? "", "when": formatter.string(from: message.due),
                ]
            },
            "hasDead": !dead.isEmpty,
            "months": months.map { ["month": $0.month, "segments": $0.segments] }, "hasMonths": !months.isEmpty,
            "noShows": noShows.map { line in
                [
                    "motif": line.motif, "reminded": "\(NoShowReport.Line.rate(line.remindedNoShows, line.reminded)) sur \(line.reminded)",
                    "notReminded": "\(NoShowReport.Line.rate(line.notRemindedNoShows, line.notReminded)) sur \(line.notReminded)",
                    "rebooked": "\(line.rebooked) sur \(line.cancelledByUsager)",
                    "confirmed": "\(NoShowReport.Line.rate(line.confirmedNoShows, line.confirmed)) sur \(line.confirmed)",
                    "unanswered": "\(NoShowReport.Line.rate(line.unansweredNoShows, line.unanswered)) sur \(line.unanswered)",
                    "givenBack": "\(line.declined) + \(line.released)",
                ]
            },
            "hasNoShows": !noShows.isEmpty,
        ]
        values["notice"] = notice
        return pages.render("notifications", values, request: request, context: context, status: status)
    }
}
