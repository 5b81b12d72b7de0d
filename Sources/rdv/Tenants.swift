import Agenda
import ArgumentParser
import Foundation
import Consortium
import Logging
import ServiceLifecycle
import Tenancy
import Web

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gère les départements de la plateforme.",
        subcommands: [List.self, Apply.self, Create.self, Suspend.self, Resume.self, Provision.self, Export.self, Import.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liste les départements enregistrés.")
        @OptionGroup var options: PlatformOptions

        func run() async throws {
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let tenants = try await platform.administer { administration in
                _ = try await administration.runner.withLock { try await administration.runner.migrateShared() }
                return try await administration.registry.all()
            }
            for tenant in tenants.sorted(by: { $0.code < $1.code }) {
                let domains = tenant.customDomains.isEmpty ? "" : "  " + tenant.customDomains.joined(separator: ", ")
                print("\(tenant.code.value.padding(toLength: 4, withPad: " ", startingAt: 0)) \(tenant.slug.padding(toLength: 24, withPad: " ", startingAt: 0)) \(tenant.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(tenant.name)\(domains)")
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Valide puis applique les fichiers TOML d’un dossier (idempotent).",
            discussion: "Tous les fichiers sont validés avant toute écriture : un fichier invalide n’applique rien."
        )
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Dossier des fichiers de départements.") var directory = "Tenants"
        @Flag(help: "Le fichier l’emporte aussi sur l’inscription et l’adhésion modifiées dans la console (le journal du consortium le note).")
        var fichierPrioritaire = false

        func run() async throws {
            let files: [(file: String, definition: TenantDefinition)]
            do {
                files = try TenantFile.loadDirectory(URL(fileURLWithPath: directory))
            } catch let error as TenantFileError {
                printError("Fichier invalide, rien n’a été appliqué.\n\(error.description)")
                throw ExitCode(2)
            }
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let display = ProgressDisplay()
            let fileWins = fichierPrioritaire
            let applied = try await platform.administer { administration in
                try await administration.provisioner.apply(files.map(\.definition), source: .file(fileWins: fileWins), progress: display.update)
            }
            for membership in applied.keptMemberships {
                guard let file = files.first(where: { $0.definition.code == membership.code })?.file else { continue }
                let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                print(TenantFile.keptMembershipNotice(
                    file: file, line: TenantFile.line(ofSection: "membership", in: text),
                    editedOn: FrenchDates.timestamp(membership.managedInConsoleAt, timeZone: "Europe/Paris")
                ))
            }
            let dates = FrenchDates.Timestamps(timeZone: "Europe/Paris")
            for kept in applied.keptByConsole {
                let file = files.first { $0.definition.code == kept.code }?.file ?? directory
                print("\(file) : département géré dans la console depuis le \(dates.string(from: kept.since)), le fichier est ignoré pour son inscription (--fichier-prioritaire pour l’appliquer quand même).")
            }
            try report(applied.outcomes)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crée (ou met à jour) un département et migre son schéma.")
        @OptionGroup var options: PlatformOptions
        @Option(help: "Code INSEE du département (62, 2A, 974…).") var code: String
        @Option(help: "Sous-domaine (pas-de-calais).") var slug: String
        @Option(help: "Nom affiché (Pas-de-Calais).") var name: String
        @Option(help: "Fuseau horaire IANA ; par défaut celui du département.") var timeZone: String?
        @Option(help: "Adresse de contact du département.") var contactEmail: String?
        @Option(name: .customLong("domain"), help: "Domaine personnalisé (répétable).") var domains: [String] = []

        func run() async throws {
            guard let departement = DepartementCode(code) else {
                throw ValidationError("« \(code) » n’est pas un code de département (01 à 95, 2A, 2B, 971 à 976).")
            }
            let definition = TenantDefinition(
                slug: slug, name: name, code: departement, timeZone: timeZone,
                contactEmail: contactEmail, customDomains: domains.map { $0.lowercased() }
            )
            if let problem = TenantFile.validate(definition) {
                throw ValidationError("\(problem.field) : \(problem.message)")
            }
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let applied = try await platform.administer { administration in
                try await administration.provisioner.apply([definition])
            }
            if let kept = applied.keptByConsole.first {
                printError("Le département \(kept.code.value) est géré dans la console : modifiez-le là, ou écrivez un fichier et appliquez-le avec --fichier-prioritaire.")
                throw ExitCode.failure
            }
            try report(applied.outcomes)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend un département : ses pages répondent 503.")
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Sous-domaine du département.") var slug: String

        func run() async throws { try await setStatus(.suspended, slug: slug, options: options) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rouvre un département suspendu.")
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Sous-domaine du département.") var slug: String

        func run() async throws { try await setStatus(.active, slug: slug, options: options) }
    }
}

extension Tenants {
    struct Provision: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exécute les ouvertures de départements demandées dans la console.",
            discussion: """
                La console n’a pas les droits de créer un rôle ni un schéma : elle enregistre une demande, que cette commande \
                exécute avec le rôle propriétaire (DATABASE_OWNER_URL). Sans --watch, elle traite les demandes en attente puis \
                s’arrête ; avec --watch, elle tourne comme un service (voir deploy/rdv-provision.service).
                """
        )
        @OptionGroup var options: PlatformOptions
        @Flag(help: "Reste en service et exécute les demandes dès qu’elles arrivent.") var watch = false
        @Option(help: "Domaine de base des liens d’invitation, sans RDV_BASE_DOMAIN.") var baseDomain = "localhost"

        func run() async throws {
            let platform = try await Platform.open(options, label: "rdv.provision", needsOwner: true)
            defer { platform.close() }
            let links = try invitationLinks(platform.configuration, defaultBaseDomain: baseDomain)
            let exports = Platform.exportDirectory(platform.configuration, dataDirectory: options.dataDir).map { URL(fileURLWithPath: $0) }
            let logger = platform.logger
            if watch {
                let owner: OwnerDatabase
                do { owner = try OwnerDatabase(settings: platform.settings, logger: logger) } catch { throw ValidationError(error.description) }
                let database = platform.applicationDatabase(maximumConnections: 4)
                let executor = OwnerJobs(
                    owner: owner, database: database, runner: MigrationRunner(database: owner, catalog: platform.catalog, jobs: 1),
                    exportDirectory: exports, logger: logger, link: { links.publicURL(slug: $0) }
                )
                let group = ServiceGroup(configuration: .init(
                    services: [.init(service: owner), .init(service: database), .init(service: executor)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
                ))
                try await group.run()
                return
            }
            let (outcomes, archives) = try await platform.administer { administration in
                _ = try await administration.runner.withLock { try await administration.runner.migrateShared() }
                let jobs = OwnerJobs(
                    owner: administration.owner, database: administration.database, runner: administration.runner,
                    exportDirectory: exports, logger: logger, link: { links.publicURL(slug: $0) }
                )
                return (await jobs.runPending(), await jobs.runPendingExports())
            }
            for outcome in outcomes {
                print(outcome.state == .done ? "Demande \(outcome.request) : département ouvert." : "Demande \(outcome.request) : \(outcome.error ?? "échec").")
            }
            for archive in archives {
                print(archive.state == .done ? "Archive \(archive.fileName ?? "") écrite." : "Archive \(archive.id) : \(archive.error ?? "échec").")
            }
            if outcomes.isEmpty && archives.isEmpty { print("Aucune demande d’ouverture en attente.") }
            if outcomes.contains(where: { $0.state != .done }) || archives.contains(where: { $0.state != .done }) { throw ExitCode.failure }
        }
    }
}

/// Where an invitation sent outside the web process leads: the links `rdv serve` would send.
func invitationLinks(_ configuration: PlatformConfiguration, defaultBaseDomain: String) throws -> AppConfiguration {
    if !configuration.isDevelopment, configuration.baseDomain == nil {
        throw ValidationError("RDV_BASE_DOMAIN est obligatoire en production : les invitations mènent à <département>.<domaine>.")
    }
    return AppConfiguration(
        baseDomain: configuration.baseDomain ?? defaultBaseDomain, environment: configuration.environment,
        publicScheme: configuration.publicScheme, publicPort: configuration.publicPort
    )
}

private func setStatus(_ status: Tenant.Status, slug: String, options: PlatformOptions) async throws {
    let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
    defer { platform.close() }
    let found = try await platform.administer { administration in
        _ = try await administration.runner.withLock { try await administration.runner.migrateShared() }
        return try await administration.registry.setStatus(status, slug: slug)
    }
    guard found else {
        printError("Aucun département « \(slug) ».")
        throw ExitCode.failure
    }
    print(status == .suspended ? "\(slug) suspendu." : "\(slug) rouvert.")
}
