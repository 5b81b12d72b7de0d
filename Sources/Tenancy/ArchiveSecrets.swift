import Crypto
import Foundation

/// The columns of a département's schema that an archive leaves out by default: password
/// hashes, second-factor secrets, recovery codes, session and one-time token hashes, the SMS
/// provider's key. With a sealing key they travel in `secrets.sealed` instead.
public enum ArchiveSecrets {
    public struct Column: Sendable, Hashable {
        public let table: String
        public let column: String
        /// Sealed in the database with the platform's own key (RDV_SECRET_KEY): an export opens
        /// it, an import seals it again with the target's key.
        public let platformSealed: Bool

        public var qualifiedName: String { "\(table).\(column)" }
    }

    public static let columns: [Column] = [
        Column(table: "agents", column: "password_hash", platformSealed: false),
        Column(table: "agents", column: "totp_secret", platformSealed: true),
        Column(table: "agent_sessions", column: "token_hash", platformSealed: false),
        Column(table: "agent_tokens", column: "token_hash", platformSealed: false),
        Column(table: "agent_recovery_codes", column: "code_hash", platformSealed: false),
        Column(table: "usager_accounts", column: "password_hash", platformSealed: false),
        Column(table: "usager_accounts", column: "totp_secret", platformSealed: true),
        Column(table: "usager_sessions", column: "token_hash", platformSealed: false),
        Column(table: "usager_tokens", column: "token_hash", platformSealed: false),
        Column(table: "usager_recovery_codes", column: "code_hash", platformSealed: false),
        Column(table: "booking_requests", column: "token_hash", platformSealed: false),
        Column(table: "booking_requests", column: "code_hash", platformSealed: false),
        Column(table: "waiting_list", column: "token_hash", platformSealed: false),
        Column(table: "waiting_list_offers", column: "token_hash", platformSealed: false),
        Column(table: "notification_settings", column: "sms_api_key_sealed", platformSealed: true),
        Column(table: "api_tokens", column: "token_hash", platformSealed: false),
        Column(table: "webhook_endpoints", column: "secret_sealed", platformSealed: true),
        Column(table: "webhook_endpoints", column: "previous_secret_sealed", platformSealed: true),
        // Not a secret itself, but meaningless without the former secret it dates: it goes with it.
        Column(table: "webhook_endpoints", column: "previous_secret_until", platformSealed: false),
        Column(table: "calendar_feeds", column: "token_hash", platformSealed: false),
    ]

    static func columns(of table: String) -> [Column] {
        columns.filter { $0.table == table }
    }
}

/// How the platform opens and seals again one of its sealed columns. The modules that seal
/// (Identity for TOTP secrets, Notifications for the SMS key) provide theirs; Tenancy only
/// carries them.
public struct PlatformSeal: Sendable {
    public let open: @Sendable (Data) throws -> Data
    public let seal: @Sendable (Data) throws -> Data

    public init(open: @escaping @Sendable (Data) throws -> Data, seal: @escaping @Sendable (Data) throws -> Data) {
        self.open = open
        self.seal = seal
    }
}

/// The operator's key that seals the secrets of an archive (ChaCha20-Poly1305, 32 bytes).
public struct ArchiveSealingKey: Sendable {
    let bytes: Data
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    public init(bytes: Data) throws(ArchiveError) {
        guard bytes.count == 32 else { throw .badKey("elle doit faire 32 octets (\(bytes.count) lus)") }
        self.bytes = bytes
    }

    /// A key file: 32 raw bytes, or their base64 on one line (`openssl rand -base64 32 > cle`).
    public init(contentsOf url: URL) throws(ArchiveError) {
        guard let data = try? Data(contentsOf: url) else { throw .badKey("fichier « \(url.path) » illisible") }
        if data.count == 32 {
            try self.init(bytes: data)
        } else if let text = String(data: data, encoding: .utf8),
                  let decoded = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            try self.init(bytes: decoded)
        } else {
            throw .badKey("le fichier doit contenir 32 octets, bruts ou en base64")
        }
    }
}

/// The secret values of an archive, by table: for each row of `dump.sql` that has one (by its
/// position in the table's COPY block), the values of the table's secret columns, as
/// PostgreSQL prints them (platform-sealed columns: the opened secret, in base64).
struct SealedSecrets: Codable, Sendable {
    struct Rows: Codable, Sendable {
        var columns: [String]
        var rows: [String: [String?]]
    }

    var tables: [String: Rows] = [:]

    static let cipher = "ChaCha20-Poly1305"

    /// Bound to the archive it was made for: a sealed file moved to another archive does not open.
    static func authenticatedData(code: String, exportedAt: String) -> Data {
        Data("rdv-departement-archive|\(code)|\(exportedAt)".utf8)
    }

    func sealed(with key: ArchiveSealingKey, code: String, exportedAt: String) throws -> Data {
        let plain = try JSONEncoder().encode(self)
        return try ChaChaPoly.seal(plain, using: key.key, authenticating: Self.authenticatedData(code: code, exportedAt: exportedAt)).combined
    }

    static func open(_ data: Data, with key: ArchiveSealingKey, code: String, exportedAt: String) throws(ArchiveError) -> SealedSecrets {
        guard let box = try? ChaChaPoly.SealedBox(combined: data),
              let plain = try? ChaChaPoly.open(box, using: key.key, authenticating: authenticatedData(code: code, exportedAt: exportedAt)),
              let secrets = try? JSONDecoder().decode(SealedSecrets.self, from: plain)
        else { throw .wrongKey }
        return secrets
    }
}
