import Crypto
import Foundation

/// One SQL file of `Migrations/shared` or `Migrations/tenant`, e.g. `0001_tenant_registry.sql`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let fileName: String
    public let sql: String
    /// SHA-256 of the file's text, hex-encoded; an applied file must keep it.
    public let checksum: String

    public init(version: Int, fileName: String, sql: String) {
        self.version = version
        self.fileName = fileName
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads every `NNNN_snake_name.sql` of a folder, in version order.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadableDirectory(directory.path)
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let version = version(ofFileName: name) else {
                throw MigrationError.badFileName(directory.appendingPathComponent(name).path)
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError.duplicateVersion(clash.fileName, name)
            }
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, fileName: name, sql: text))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    static func version(ofFileName name: String) -> Int? {
        let stem = name.dropLast(".sql".count)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else { return nil }
        let validName = parts[1].unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        return validName && !parts[1].isEmpty ? version : nil
    }
}

/// The migrations of both kinds of schema.
public struct MigrationCatalog: Sendable {
    public let shared: [Migration]
    public let tenant: [Migration]

    public init(shared: [Migration], tenant: [Migration]) {
        self.shared = shared
        self.tenant = tenant
    }

    /// Reads `<root>/shared` and `<root>/tenant`.
    public static func load(from root: URL) throws -> MigrationCatalog {
        try MigrationCatalog(
            shared: Migration.load(from: root.appendingPathComponent("shared")),
            tenant: Migration.load(from: root.appendingPathComponent("tenant"))
        )
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case unreadableDirectory(String)
    case badFileName(String)
    case duplicateVersion(String, String)
    case changedFile(file: String, schema: String)
    case unknownAppliedVersion(version: Int, schema: String)
    case failed(file: String, schema: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            "cannot read migrations folder \(path)"
        case .badFileName(let path):
            "\(path): a migration file is named NNNN_snake_name.sql"
        case .duplicateVersion(let first, let second):
            "\(first) and \(second) share one version number"
        case .changedFile(let file, let schema):
            "\(file) was changed after it was applied to schema \(schema); add a new migration instead"
        case .unknownAppliedVersion(let version, let schema):
            "schema \(schema) has version \(version) applied, which no file describes (is this binary older than the database?)"
        case .failed(let file, let schema, let reason):
            "\(file) failed on schema \(schema): \(reason)"
        }
    }
}
