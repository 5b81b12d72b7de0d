import ArgumentParser
import Foundation
import Logging
import Tenancy

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gère les départements de la plateforme.",
        subcommands: [List.self, Apply.self, Create.self, Suspend.self, Resume.self, Export.self, Import.self]
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

        func run() async throws {
            let definitions: [TenantDefinition]
            do {
                definitions = try TenantFile.loadDirectory(URL(fileURLWithPath: directory)).map(\.definition)
            } catch let error as TenantFileError {
                printError("Fichier invalide, rien n’a été appliqué.\n\(error.description)")
                throw ExitCode(2)
            }
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let display = ProgressDisplay()
            let outcomes = try await platform.administer { administration in
                try await administration.provisioner.apply(definitions, progress: display.update)
            }
            try report(outcomes)
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
            let outcomes = try await platform.administer { administration in
                try await administration.provisioner.apply([definition])
            }
            try report(outcomes)
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
