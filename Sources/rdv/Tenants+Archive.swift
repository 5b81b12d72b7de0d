import ArgumentParser
import Foundation
import Identity
import Notifications
import Tenancy
import Webhooks

extension Tenants {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exporte un département et ses données dans une archive (tar).",
            discussion: """
                L’archive contient dump.sql (restaurable avec psql sur un PostgreSQL 15 nu), un CSV par table, \
                README.md (dictionnaire des données) et manifest.json (empreintes SHA-256). Les secrets (mots de \
                passe, double authentification, jetons, clé SMS) sont laissés de côté, sauf avec --sceller-secrets.
                """
        )
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Sous-domaine du département.") var slug: String
        @Option(help: "Fichier de l’archive à écrire.") var output: String
        @Option(
            name: .customLong("sceller-secrets"),
            help: "Fichier d’une clé de 32 octets (brute ou en base64) : les secrets sont inclus, chiffrés avec elle."
        )
        var sealingKey: String?

        func run() async throws {
            let key = try sealingKey.map { path in try archiveKey(path) }
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let secret = try Serve.secretKey(platform.configuration, dataDirectory: options.dataDir)
            let export = try await reportingArchiveErrors { try await platform.administer { administration in
                guard let tenant = try await administration.registry.all().first(where: { $0.slug == slug }) else {
                    throw ArchiveError.unknownTenant(slug)
                }
                return try await administration.archive(secretKey: secret)
                    .export(tenant: tenant, to: URL(fileURLWithPath: output), sealingSecretsWith: key)
            } }
            print("""
                Archive écrite : \(output) (\(export.manifest.tables.count) tables, \(export.totalRows) lignes, \(export.archiveBytes) octets, \
                schéma en version \(export.manifest.schemaVersion)) ; secrets \(key == nil ? "laissés de côté" : "scellés avec la clé fournie").
                """)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importe l’archive d’un département (écrite par rdv tenants export).",
            discussion: """
                Chaque fichier est vérifié (SHA-256) avant toute écriture ; le département, son rôle, son schéma et \
                ses données sont écrits en une transaction, puis son schéma est migré s’il vient d’une version plus ancienne.
                """
        )
        @OptionGroup var options: PlatformOptions
        @Argument(help: "Fichier de l’archive.") var file: String
        @Option(help: "Sous-domaine à donner au département (par défaut celui de l’archive).") var slug: String?
        @Option(name: .customLong("ouvrir-secrets"), help: "Fichier de la clé qui a scellé les secrets à l’export.")
        var openingKey: String?

        func run() async throws {
            let key = try openingKey.map { path in try archiveKey(path) }
            let platform = try await Platform.open(options, label: "rdv.tenants", needsOwner: true)
            defer { platform.close() }
            let secret = try Serve.secretKey(platform.configuration, dataDirectory: options.dataDir)
            let imported = try await reportingArchiveErrors { try await platform.administer { administration in
                let shared = try await administration.runner.withLock { try await administration.runner.migrateShared() }
                if !shared.succeeded { try report([shared]) }
                return try await administration.archive(secretKey: secret)
                    .import(from: URL(fileURLWithPath: file), slug: slug, openingSecretsWith: key)
            } }
            let migrated = imported.migrationsApplied.isEmpty ? "" : " ; \(imported.migrationsApplied.count) migration(s) appliquée(s)"
            print("""
                Département \(imported.tenant.code.value) « \(imported.tenant.slug) » importé : \(imported.totalRows) lignes ; \
                secrets \(imported.secretsRestored ? "restaurés" : "non restaurés (les comptes devront choisir un nouveau mot de passe)")\(migrated).
                """)
        }
    }
}

extension Administration {
    /// Archives on this platform, opening and sealing its sealed columns with `secretKey`.
    func archive(secretKey: Data) -> TenantArchive {
        TenantArchive(
            owner: owner, catalog: runner.catalog,
            platformSeals: SecondFactor(secret: secretKey).archiveSeals.merging(CredentialBox(secret: secretKey).archiveSeals) { $1 }
                .merging(WebhookSecretBox(platformSecret: secretKey).archiveSeals) { $1 }
        )
    }
}

/// An archive refused or failed: its French message, exit status 1.
private func reportingArchiveErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as ArchiveError {
        printError(error.description)
        throw ExitCode.failure
    }
}

private func archiveKey(_ path: String) throws -> ArchiveSealingKey {
    do { return try ArchiveSealingKey(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError(error.description) }
}
