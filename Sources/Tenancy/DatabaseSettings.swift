import Foundation
import PostgresNIO

/// How to reach PostgreSQL: the application's login role, and the owner role that runs migrations.
public struct DatabaseSettings: Sendable {
    public typealias Configuration = PostgresClient.Configuration
    /// The login role of the application (NOINHERIT, member of every tenant role).
    public var app: PostgresClient.Configuration
    /// The role that owns schemas and tables; runs migrations and provisions départements.
    /// Nil where the process must not hold it (`rdv serve` in production).
    public var owner: PostgresClient.Configuration?
    public var databaseName: String

    public init(app: PostgresClient.Configuration, owner: PostgresClient.Configuration?, databaseName: String) {
        self.app = app
        self.owner = owner
        self.databaseName = databaseName
    }

    /// Names of roles derived from this database.
    public var layout: DatabaseLayout {
        DatabaseLayout(databaseName: databaseName, appRole: app.username)
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…` (or `?host=/socket/dir`).
    public static func configuration(fromURL text: String) throws -> (PostgresClient.Configuration, database: String) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw DatabaseURLError("DATABASE_URL doit commencer par postgres:// ou postgresql://")
        }
        guard let user = url.user, !user.isEmpty else {
            throw DatabaseURLError("DATABASE_URL doit nommer un utilisateur")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw DatabaseURLError("DATABASE_URL doit nommer une base de données")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let password = url.password?.removingPercentEncoding
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = url.port ?? 5432
            let path = "\(socketDirectory)/.s.PGSQL.\(port)"
            return (.init(unixSocketPath: path, username: user, password: password, database: database), database)
        }
        guard let host = url.host, !host.isEmpty else {
            throw DatabaseURLError("DATABASE_URL doit nommer un serveur")
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw DatabaseURLError("sslmode inconnu dans DATABASE_URL : \(other)")
        }
        let configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: password, database: database, tls: tls
        )
        return (configuration, database)
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Role and schema names of one database. Role names are cluster-wide, so tenant roles
/// carry the database name: two databases on one cluster never share a tenant role.
public struct DatabaseLayout: Sendable, Hashable {
    public let databaseName: String
    public let appRole: String

    public init(databaseName: String, appRole: String) {
        self.databaseName = databaseName
        self.appRole = appRole
    }

    public func tenantRole(for code: DepartementCode) -> String {
        let prefix = databaseName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return String(prefix) + "_" + code.schemaName
    }
}

/// Quotes an identifier (schema or role name) for SQL text, doubling any inner quote.
/// Only used where PostgreSQL takes no bind parameter (SET ROLE, CREATE SCHEMA…).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
