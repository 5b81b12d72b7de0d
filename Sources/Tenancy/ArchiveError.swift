/// Why an archive of a département could not be written or was refused, in French for the
/// operator. An import refused for any of these reasons has written nothing.
public enum ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownTenant(String)
    case unreadable(String)
    case compressed
    case notAnArchive
    case unexpectedEntry(String)
    case unsupportedFormat(Int)
    case missingFile(String)
    case corruptFile(String)
    case codeTaken(code: String, slug: String)
    case slugTaken(String)
    case badSlug(slug: String, reason: String)
    case schemaExists(String)
    case newerSchema(archive: Int, platform: Int)
    case migrationMismatch(String)
    case badKey(String)
    case wrongKey
    case secretUnreadable(String)
    case unexpectedStatement(String)
    case migrationFailed(String)
    case toolFailed(tool: String, output: String)
    case databaseFailed(String)

    public var description: String {
        switch self {
        case .unknownTenant(let slug):
            "Aucun département « \(slug) »."
        case .unreadable(let path):
            "Impossible de lire ou d’écrire « \(path) »."
        case .compressed:
            "Ce fichier est compressé (gzip) : décompressez-le d’abord avec gunzip, puis importez le fichier .tar."
        case .notAnArchive:
            "Ce fichier n’est pas une archive tar de département RDV (en-tête illisible ou fichier tronqué) ; rien n’a été importé."
        case .unexpectedEntry(let name):
            "L’archive contient une entrée inattendue (« \(name) ») ; elle est refusée et rien n’a été importé."
        case .unsupportedFormat(let version):
            "Cette archive est au format \(version), que cette version de la plateforme ne sait pas lire ; rien n’a été importé."
        case .missingFile(let name):
            "L’archive est incomplète : « \(name) » manque ; rien n’a été importé."
        case .corruptFile(let name):
            "L’archive est corrompue : l’empreinte SHA-256 de « \(name) » ne correspond pas au manifeste ; rien n’a été importé."
        case .codeTaken(let code, let slug):
            "Le département \(code) existe déjà sur cette plateforme (« \(slug) ») ; rien n’a été importé."
        case .slugTaken(let slug):
            "Le sous-domaine « \(slug) » est déjà pris sur cette plateforme ; choisissez-en un autre avec --slug. Rien n’a été importé."
        case .badSlug(let slug, let reason):
            "Le sous-domaine « \(slug) » \(reason) ; rien n’a été importé."
        case .schemaExists(let schema):
            "Le schéma \(schema) existe déjà dans cette base sans département enregistré ; supprimez-le d’abord. Rien n’a été importé."
        case .newerSchema(let archive, let platform):
            "L’archive vient d’un schéma en version \(archive), plus récente que celle de cette plateforme (\(platform)) : mettez la plateforme à jour d’abord. Rien n’a été importé."
        case .migrationMismatch(let file):
            "La migration « \(file) » de l’archive diffère de celle de cette plateforme ; rien n’a été importé."
        case .badKey(let reason):
            "Clé de scellement invalide : \(reason)."
        case .wrongKey:
            "Les secrets scellés de l’archive ne s’ouvrent pas avec cette clé (mauvaise clé, ou archive modifiée) ; rien n’a été importé."
        case .secretUnreadable(let column):
            "\(column) ne s’ouvre pas avec la clé de cette plateforme (RDV_SECRET_KEY) ; l’archive n’a pas été écrite."
        case .unexpectedStatement(let start):
            "dump.sql contient une instruction qu’une archive de département ne contient pas (« \(start) ») ; rien n’a été importé."
        case .migrationFailed(let reason):
            "Le département a été importé, mais la migration de son schéma a échoué : \(reason). Corrigez, puis lancez rdv migrate."
        case .toolFailed(let tool, let output):
            "\(tool) a échoué : \(output)"
        case .databaseFailed(let reason):
            "La base a refusé l’import, rien n’a été écrit : \(reason)"
        }
    }
}
