import Foundation

/// `manifest.json` of a département's archive: what it holds, from which schema version, and
/// the SHA-256 of every other file, checked before an import writes anything.
public struct ArchiveManifest: Codable, Sendable, Equatable {
    /// Names the kind of file, so that another tar is refused rather than misread.
    public static let formatName = "rdv-departement-archive"
    public static let currentFormatVersion = 1

    public struct Departement: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public var slug: String
        public var timeZone: String
        public var customDomains: [String]
    }

    public struct AppliedMigration: Codable, Sendable, Equatable {
        public var version: Int
        public var fileName: String
        public var checksum: String
    }

    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        /// In the order of the table's COPY block in `dump.sql` (the CSV leaves the secret ones out).
        public var columns: [String]
        public var rows: Int
        /// Columns whose values are not in `dump.sql` nor in the CSV (see `secrets`).
        public var secretColumns: [String]
    }

    /// A privilege of the source's roles on one relation, with the role named by what it is
    /// (`tenant`: the département's role; `app`: the application's login role), so that an
    /// import grants it to the target's roles of the same kind.
    public struct Grant: Codable, Sendable, Equatable {
        public var relation: String
        public var grantee: String
        public var privileges: [String]
    }

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    public struct Secrets: Codable, Sendable, Equatable {
        /// False: secret columns are empty (or random, where the column may not be empty).
        public var sealed: Bool
        /// `ChaCha20-Poly1305`, key given by the operator (32 bytes).
        public var cipher: String?
        public var file: String?
    }

    public var format: String
    public var formatVersion: Int
    public var exportedAt: String
    public var departement: Departement
    public var schema: String
    public var schemaVersion: Int
    public var migrations: [AppliedMigration]
    public var tables: [Table]
    public var grants: [Grant]
    public var secrets: Secrets
    public var files: [File]

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// Reads a manifest; anything that does not say it is one of ours is not an archive.
    static func read(from url: URL) throws(ArchiveError) -> ArchiveManifest {
        guard let data = try? Data(contentsOf: url) else { throw .missingFile("manifest.json") }
        struct Header: Decodable { var format: String?; var formatVersion: Int? }
        guard let header = try? decoder.decode(Header.self, from: data), header.format == formatName else {
            throw .notAnArchive
        }
        guard let version = header.formatVersion, version <= currentFormatVersion else {
            throw .unsupportedFormat(header.formatVersion ?? 0)
        }
        guard let manifest = try? decoder.decode(ArchiveManifest.self, from: data) else { throw .notAnArchive }
        return manifest
    }
}
