import ArgumentParser
import Booking
import Foundation
import Privacy
import Tenancy

/// `rdv usagers import`: the page's import for an operator bringing a département's list from
/// another tool (the same checks, the same all-or-nothing).
struct UsagersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usagers", abstract: "Fiches des usagers d’un département.", subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importe des usagers depuis un fichier CSV (colonnes nom, prenom, date_naissance, telephone, email, adresse, referent, responsable).",
            discussion: """
                Le fichier est vérifié en entier : si une ligne est erronée, rien n’est importé et chaque ligne à corriger \
                est indiquée. Une personne qui a déjà une fiche au même nom, prénom et date de naissance la complète \
                (par défaut), en crée une nouvelle ou est laissée de côté, selon --doublons. --apercu compte sans rien écrire.
                """
        )
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Sous-domaine du département.") var slug: String
        @Argument(help: "Fichier CSV (UTF-8 ou Windows-1252).") var file: String
        @Option(help: "Personnes qui ont déjà une fiche : completer, creer ou ignorer.") var doublons = UsagerImportKnownPolicy.complete.rawValue
        @Flag(name: .customLong("apercu"), help: "Vérifie le fichier et compte les fiches ressemblantes, sans rien écrire.") var previewOnly = false

        func run() async throws {
            guard let known = UsagerImportKnownPolicy(rawValue: doublons) else {
                throw ValidationError("--doublons vaut completer, creer ou ignorer.")
            }
            guard let bytes = FileManager.default.contents(atPath: file) else { throw ValidationError("Le fichier \(file) ne se lit pas.") }
            let text = SpreadsheetText.decode(Array(bytes))
            let platform = try await Platform.open(options, label: "rdv.usagers", needsOwner: false)
            defer { platform.close() }
            let database = platform.applicationDatabase(maximumConnections: 2)
            let (slug, previewOnly) = (self.slug, self.previewOnly)
            let report: [String] = try await database.running {
                guard let tenant = try await database.registeredTenants().first(where: { $0.slug == slug && $0.status.isServed }) else {
                    throw ValidationError("Aucun département servi ne porte le slug « \(slug) ».")
                }
                let tenantDatabase = database.tenant(tenant)
                let agents = try await tenantDatabase.transaction { try await UsagerImport($0).agents() }
                let lines: [UsagerImportLine]
                do {
                    lines = try UsagerCSV.parse(text, agents: agents, today: tenant.clock.localDate(of: Date()))
                } catch let error as UsagerCSVError {
                    return ["Personne n’a été importé : \(error.issues.count) problème(s) à corriger."] + error.issues.map { "ligne \($0.line) : \($0.reason)" }
                }
                if previewOnly {
                    let candidates = try await tenantDatabase.transaction { try await UsagerImport($0).candidates(lines) }
                    let known = candidates.filter { !$0.samePerson.isEmpty }.count
                    let contact = candidates.filter { $0.samePerson.isEmpty && !$0.sameContact.isEmpty }.count
                    return ["Aperçu (rien n’a été écrit) : \(lines.count) personne(s), dont \(known) avec une fiche au même nom, prénom et date de naissance, \(contact) avec seulement le même téléphone ou la même adresse électronique."]
                }
                let summary = try await tenantDatabase.transaction { connection in
                    let summary = try await UsagerImport(connection).run(lines, known: known, actor: nil, ip: nil)
                    try await AccessTrail(connection).record(.imported, usagers: summary.created + summary.completed, by: .init(agentID: nil, ip: nil))
                    return summary
                }
                return ["Import terminé : \(summary.created.count) fiche(s) créée(s), \(summary.completed.count) complétée(s), \(summary.skipped) ligne(s) ignorée(s)."]
            }
            report.forEach { print($0) }
            if report.first?.hasPrefix("Personne") == true { throw ExitCode(65) }
        }
    }
}
