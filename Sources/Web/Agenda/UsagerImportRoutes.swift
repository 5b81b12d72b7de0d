import Agenda
import Booking
import Foundation
import Hummingbird
import Identity
import Privacy
import Scheduling
import Tenancy

/// Bulk import of usagers from a spreadsheet's CSV, for secretariats and administrators: the
/// file is checked whole (every bad line named), previewed with its likely duplicates, then
/// imported whole. The preview sends the file back with the choices: nothing is kept between.
struct UsagerImportRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    /// 20,000 people of a spreadsheet stay well below this; a larger file is refused unread.
    static let maximumBytes = 8_000_000
    /// Lines shown whole in the preview; the others are counted.
    static let sampleSize = 10
    static let shownDuplicates = 200
    static let shownIssues = 500

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/usagers/import") { request, context in
            try context.require(.importUsagers)
            return try await uploadPage(request, context)
        }
        group.post("/usagers/import/:id/annuler") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            try context.require(.importUsagers)
            guard let importID = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            let actor = context.agent.id, ip = context.remoteAddress
            do {
                let (deleted, kept) = try await context.database.transaction { connection in
                    try await UsagerImport(connection).undo(importID, actor: actor, ip: ip, now: Date())
                }
                var notice = "Import annulé : \(deleted) fiche\(deleted > 1 ? "s" : "") supprimée\(deleted > 1 ? "s" : "")."
                if kept > 0 {
                    notice += " \(kept) fiche\(kept > 1 ? "s" : "") gardée\(kept > 1 ? "s" : "") : modifiée\(kept > 1 ? "s" : ""), avec un rendez-vous, un compte ou un proche depuis l’import."
                }
                return try await uploadPage(request, context, notice: notice)
            } catch UsagerImportUndoError.notFound {
                throw PublicError.pageNotFound
            } catch let error as UsagerImportUndoError {
                return try await uploadPage(request, context, errors: [error.french], status: error.status)
            }
        }
        group.get("/usagers/import/modele.csv") { _, context in
            try context.require(.importUsagers)
            return Response.csvAttachment(UsagerCSV.header + "\r\n" + UsagerCSV.example + "\r\n", fileName: "usagers-modele.csv")
        }
        group.post("/usagers/import") { request, context in
            let fields = try await forms.verifiedUpload(of: request, sessionToken: context.sessionToken, maximumBytes: Self.maximumBytes)
            try context.require(.importUsagers)
            return try await importFile(fields, request, context)
        }
    }

    private func importFile(_ fields: [String: String], _ request: Request, _ context: AgentRequestContext) async throws -> Response {
        guard let text = UploadedCSV.text(of: fields) else {
            return refused([UploadedCSV.missing], request, context)
        }
        let today = context.tenant.clock.localDate(of: Date())
        let agents = try await context.database.transaction { try await UsagerImport($0).agents() }
        let lines: [UsagerImportLine]
        do {
            lines = try UsagerCSV.parse(text, agents: agents, today: today)
        } catch {
            return refused(error.issues, request, context)
        }
        guard fields["etape"] == "importer" else {
            let candidates = try await context.database.transaction { try await UsagerImport($0).candidates(lines) }
            return preview(candidates, text: text, agents: agents, known: .complete, request, context)
        }
        guard let known = UsagerImportKnownPolicy(rawValue: fields["doublons"] ?? UsagerImportKnownPolicy.complete.rawValue) else {
            return refused([.init(line: 1, reason: "Choisissez que faire des personnes qui ont déjà une fiche.")], request, context)
        }
        var choices: [Int: UsagerImportChoice] = [:]
        for line in lines {
            switch fields["ligne-\(line.line)"] ?? "" {
            case "": continue
            case "creer": choices[line.line] = .create
            case "ignorer": choices[line.line] = .skip
            case let value where value.hasPrefix("fiche-"):
                guard let id = UUID(uuidString: String(value.dropFirst(6))) else { fallthrough }
                choices[line.line] = .complete(id)
            default:
                return refused([.init(line: line.line, reason: "Le choix fait pour cette ligne n’est pas reconnu : vérifiez de nouveau le fichier.")], request, context)
            }
        }
        let actor = context.agent.id, ip = context.remoteAddress, chosen = choices
        let trail = AccessTrail.Actor(agentID: actor, ip: ip)
        let summary: UsagerImportSummary
        do {
            summary = try await context.database.transaction { connection in
                let summary = try await UsagerImport(connection).run(lines, known: known, choices: chosen, actor: actor, ip: ip)
                try await AccessTrail(connection).record(.imported, usagers: summary.created + summary.completed, by: trail)
                return summary
            }
        } catch let error as UsagerImportError {
            let candidates = try await context.database.transaction { try await UsagerImport($0).candidates(lines) }
            // Shown again with the agent's choices, to correct the one refused.
            let selected = Dictionary(uniqueKeysWithValues: lines.compactMap { line in fields["ligne-\(line.line)"].map { (line.line, $0) } })
            return preview(
                candidates, text: text, agents: agents, known: known, selected: selected, request, context, errors: [error.french], status: error.status
            )
        }
        let shown = Array(summary.completed.prefix(50))
        let completed = try await context.database.transaction { try await UsagerRepository($0).find(shown) }
        func count(_ number: Int, _ one: String, _ many: String) -> String { "\(number) \(number > 1 ? many : one)" }
        var values: [String: Any] = [
            "done": true, "importID": summary.importID.uuidString, "undoable": !summary.created.isEmpty,
            "createdText": count(summary.created.count, "fiche créée", "fiches créées"),
            "completedText": count(summary.completed.count, "fiche complétée", "fiches complétées"),
            "skippedText": count(summary.skipped, "ligne ignorée", "lignes ignorées"),
        ]
        if !summary.completed.isEmpty {
            values["hasCompleted"] = true
            values["completed"] = completed.map { ["usagerID": $0.id.uuidString, "name": $0.fullName] }
            if summary.completed.count > 50 { values["moreCompleted"] = summary.completed.count - 50 }
        }
        return render(request, context, values)
    }

    private func preview(
        _ candidates: [UsagerImportCandidate], text: String, agents: [Agent], known: UsagerImportKnownPolicy, selected: [Int: String] = [:],
        _ request: Request, _ context: AgentRequestContext, errors: [String] = [], status: HTTPResponse.Status = .ok
    ) -> Response {
        let names = Dictionary(agents.map { ($0.id, $0.fullName) }, uniquingKeysWith: { first, _ in first })
        func born(_ date: LocalDate?) -> String { date.map(FrenchDates.numeric) ?? "" }
        func details(_ birthDate: LocalDate?, _ phone: String?, _ email: String?) -> String {
            [birthDate.map { "né·e le \(born($0))" }, phone, email].compactMap { $0 }.joined(separator: " · ")
        }
        let similar = candidates.filter { !$0.all.isEmpty }
        let knownCount = candidates.filter { !$0.samePerson.isEmpty }.count
        let policies: [(UsagerImportKnownPolicy, String)] = [
            (.complete, "Compléter la fiche existante (date de naissance, coordonnées, adresse manquantes ; référent ajouté)"),
            (.create, "Créer quand même une nouvelle fiche"), (.skip, "Ne pas les importer"),
        ]
        var values: [String: Any] = [
            "total": candidates.count, "plural": candidates.count > 1,
            "newCount": candidates.count - similar.count, "knownCount": knownCount, "contactCount": similar.count - knownCount,
            "sampleCount": min(Self.sampleSize, candidates.count), "csv": text,
            "sample": candidates.prefix(Self.sampleSize).map { candidate -> [String: Any] in
                let identity = candidate.line.identity
                return [
                    "line": candidate.line.line, "name": "\(identity.firstName) \(identity.lastName)", "born": born(identity.birthDate),
                    "phone": identity.phone ?? "", "email": identity.email ?? "",
                    "address": candidate.line.address ?? "", "referent": candidate.line.referentID.flatMap { names[$0] } ?? "",
                    "responsible": candidate.line.responsibleLine.map { "ligne \($0)" } ?? "",
                ]
            },
            "knownPolicies": policies.map { ["value": $0.0.rawValue, "label": $0.1, "checked": $0.0 == known] as [String: Any] },
        ]
        values["importButton"] = candidates.count == 1 ? "Importer la ligne" : "Importer les \(candidates.count) lignes"
        if knownCount > 0 {
            values["hasKnown"] = true
            values["knownLegend"] = knownCount == 1
                ? "Pour la personne qui a déjà une fiche au même nom, prénom et date de naissance"
                : "Pour les \(knownCount) personnes qui ont déjà une fiche au même nom, prénom et date de naissance"
        }
        let relatives = candidates.filter { $0.line.responsibleLine != nil }.count
        if relatives > 0 { values["hasRelatives"] = true; values["relativeCount"] = relatives; values["relativePlural"] = relatives > 1 }
        if !similar.isEmpty {
            values["hasDuplicates"] = true
            values["duplicates"] = similar.prefix(Self.shownDuplicates).map { candidate -> [String: Any] in
                let identity = candidate.line.identity
                var options: [(value: String, label: String)] = [("", candidate.samePerson.isEmpty ? "Créer une nouvelle fiche" : "Selon le choix général")]
                options += candidate.all.map { ("fiche-\($0.id.uuidString)", "Compléter la fiche de \($0.fullName)") }
                options += [("creer", "Créer une nouvelle fiche"), ("ignorer", "Ne pas importer cette ligne")]
                let chosen = selected[candidate.line.line].flatMap { value in options.first { $0.value.lowercased() == value.lowercased() }?.value } ?? ""
                return [
                    "line": candidate.line.line, "name": "\(identity.firstName) \(identity.lastName)",
                    "details": details(identity.birthDate, identity.phone, identity.email),
                    "records": candidate.all.map { ["usagerID": $0.id.uuidString, "name": $0.fullName, "details": details($0.birthDate, $0.phone, $0.email)] },
                    "options": options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == chosen] as [String: Any] },
                ]
            }
            if similar.count > Self.shownDuplicates { values["moreDuplicates"] = similar.count - Self.shownDuplicates }
        }
        var page: [String: Any] = ["preview": values]
        if !errors.isEmpty { page["errors"] = errors; page["hasErrors"] = true }
        return render(request, context, page, status: status)
    }

    /// The form, with the imports of the last 24 hours that can still be undone.
    private func uploadPage(
        _ request: Request, _ context: AgentRequestContext, notice: String? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let entries = try await context.database.transaction { try await UsagerImport($0).undoable(now: Date()) }
        let clock = context.tenant.clock
        var values: [String: Any] = ["upload": true]
        if !entries.isEmpty {
            values["hasRecent"] = true
            values["recent"] = entries.map { entry -> [String: Any] in
                var item: [String: Any] = [
                    "importID": entry.id.uuidString, "when": FrenchDates.when(entry.importedAt, clock),
                    "created": entry.createdCount > 1 ? "\(entry.createdCount) fiches créées" : "1 fiche créée", "remaining": entry.remaining,
                ]
                if let agent = entry.agentName { item["agent"] = agent }
                return item
            }
        }
        if let notice { values["notice"] = notice }
        if !errors.isEmpty { values["errors"] = errors }
        return render(request, context, values, status: status)
    }

    private func refused(_ issues: [CSVIssue], _ request: Request, _ context: AgentRequestContext) -> Response {
        var values: [String: Any] = [
            "upload": true, "hasIssues": true, "issueCount": issues.count == 1 ? "1 problème" : "\(issues.count) problèmes",
            "issues": issues.prefix(Self.shownIssues).map { ["line": $0.line, "reason": $0.reason] as [String: Any] },
        ]
        if issues.count > Self.shownIssues { values["moreIssues"] = issues.count - Self.shownIssues }
        return render(request, context, values, status: .unprocessableContent)
    }

    private func render(_ request: Request, _ context: AgentRequestContext, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        values["pageTitle"] = "Importer des usagers – \(context.tenant.name)"
        values["header"] = UsagerCSV.header
        return pages.render("usager_import", values, request: request, context: context, status: status)
    }
}
