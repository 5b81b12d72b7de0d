import Agenda
import Foundation
import Hummingbird
import Identity
import Privacy
import Tenancy

/// Personal data of the département: for its administrators, the retention durations, what
/// the next daily pass will remove, the last passes and the access trail (also per usager, as
/// a CSV for a person's access request); for everyone, the register of processing activities.
struct PrivacyRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(agent group: RouterGroup<AgentRequestContext>, tenant router: Router<TenantRequestContext>) {
        group.get("/donnees-personnelles") { request, context in
            try context.require(.manageDepartement)
            return try await page(request, context)
        }
        group.post("/donnees-personnelles") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.manageDepartement)
            let settings: RetentionSettings
            do { settings = try RetentionSettings.parse(fields) } catch let error as RetentionSettingsError {
                return try await page(request, context, errors: error.fields, form: fields, status: .unprocessableContent)
            }
            try await context.database.transaction { try await settings.save($0) }
            return try await page(request, context, notice: "Durées enregistrées : elles s’appliquent dès le prochain passage quotidien.")
        }
        group.get("/usagers/:id/acces") { request, context in
            try context.require(.manageDepartement)
            let (usager, entries) = try await trail(context)
            let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
            return pages.render("usager_trail", [
                "pageTitle": "Accès au dossier – \(context.tenant.name)", "usagerID": usager.id.uuidString, "usagerName": usager.fullName,
                "entries": entries.map { Self.row($0, formatter) }, "hasEntries": !entries.isEmpty,
            ], request: request, context: context)
        }
        group.get("/usagers/:id/acces.csv") { request, context in
            try context.require(.manageDepartement)
            let (usager, entries) = try await trail(context)
            let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
            var text = "\u{FEFF}date;action;agent;jeton d’API;adresse IP\r\n"
            for entry in entries {
                let row = Self.row(entry, formatter)
                text += [row["when"], row["action"], row["agent"], row["token"], row["ip"]]
                    .map { Self.csvField($0 ?? "") }.joined(separator: ";") + "\r\n"
            }
            let name = "acces-\(usager.id.uuidString.lowercased().prefix(8)).csv"
            return Response.csvAttachment(text, fileName: name)
        }
        router.get("/confidentialite") { request, context in
            let register = try await context.database.transaction { try await ProcessingRegister.load($0) }
            return pages.pages.render("privacy_register", Self.registerValues(register, tenant: context.tenant))
        }
    }

    private func trail(_ context: AgentRequestContext) async throws -> (Usager, [AccessTrail.Entry]) {
        guard let usagerID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        return try await context.database.transaction { connection in
            guard let usager = try await UsagerRepository(connection).find(usagerID) else { throw PublicError.pageNotFound }
            return (usager, try await AccessTrail(connection).entries(of: usagerID))
        }
    }

    static func row(_ entry: AccessTrail.Entry, _ formatter: FrenchDates.Timestamps) -> [String: String] {
        [
            "when": formatter.string(from: entry.occurredAt), "action": entry.action.french,
            "agent": entry.agentName ?? "compte supprimé", "token": entry.tokenName ?? "", "ip": entry.ip ?? "",
        ]
    }

    /// RFC 4180 quoting, and the apostrophe that keeps a spreadsheet from reading a formula.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { ";\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func page(
        _ request: Request, _ context: AgentRequestContext, notice: String? = nil, errors: [String] = [], form: [String: String]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let database = context.database
        let settings = try await database.transaction { try await RetentionSettings.load($0) }
        let retention = Retention(database: database)
        let preview = try await retention.preview(now: Date())
        let runs = try await retention.recentRuns()
        let latest = try await database.transaction { try await AccessTrail($0).latest(limit: 50) }
        let formatter = FrenchDates.Timestamps(timeZone: context.tenant.timeZone)
        let values: [String: Any] = [
            "pageTitle": "Données personnelles – \(context.tenant.name)", "errors": errors, "notice": notice ?? "",
            "fields": RetentionSettings.fields.map { field in
                [
                    "name": field.name, "label": field.label, "unit": field.unit,
                    "min": field.range.lowerBound, "max": field.range.upperBound,
                    "value": form?[field.name] ?? String(settings[keyPath: field.keyPath]),
                ] as [String: Any]
            },
            "preview": RetentionKind.allCases.map { ["kind": $0.french, "count": preview[$0]] as [String: Any] },
            "runs": runs.map { run in
                [
                    "when": formatter.string(from: run.ranAt),
                    "summary": run.counts.total == 0 ? "rien à faire"
                        : RetentionKind.allCases.filter { run.counts[$0] > 0 }.map { "\($0.french) : \(run.counts[$0])" }.joined(separator: " ; "),
                ]
            },
            "hasRuns": !runs.isEmpty,
            "trail": latest.map { entry in
                Self.row(entry, formatter).merging([
                    "usager": entry.usagerName ?? "usager supprimé", "usagerID": entry.usagerID.uuidString, "known": entry.usagerName == nil ? "" : "1",
                ]) { $1 }
            },
            "hasTrail": !latest.isEmpty,
        ]
        return pages.render("privacy_settings", values, request: request, context: context, status: status)
    }

    /// The register's values: the département's own settings and the fixed parts.
    static func registerValues(_ register: ProcessingRegister, tenant: Tenant) -> [String: Any] {
        let r = register.retention
        var processors = [
            "L’hébergeur de la plateforme, choisi par le consortium des départements (serveurs en France)",
            "Le serveur d’envoi des courriels du consortium",
        ]
        if let host = register.smsProviderHost { processors.append("Le fournisseur d’envoi des SMS du département (\(host))") }
        for host in register.webhookHosts { processors.append("Un logiciel du département qui reçoit les rendez-vous (webhook vers \(host))") }
        return [
            "pageTitle": "Données personnelles et registre des traitements – \(tenant.name)", "departement": tenant.name,
            "retention": [
                "Rendez-vous : supprimés \(r.rdvMonths) mois après leur date",
                "Dossiers des usagers : supprimés après \(r.usagerMonths) mois sans rendez-vous ni modification",
                "Contenu des courriels et SMS envoyés : effacé après \(r.messageMonths) mois",
                "Comptes des agents : désactivés après \(r.agentMonths) mois sans connexion ni rendez-vous, \(r.agentNoticeDays) jours après un avertissement",
                "Traces des accès aux dossiers et adresses IP des journaux : \(r.trailMonths) mois",
                "Journal des appels à l’API : \(r.apiCallDays) jours",
                "Statistiques : seulement des nombres, sans donnée personnelle, conservés sans limite",
            ],
            "processors": processors,
        ]
    }
}
