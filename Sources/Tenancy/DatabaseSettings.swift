import Foundation
import PostgresNIO

/// How to reach PostgreSQL: the application's login role, and the owner role that runs migrations.
public struct DatabaseSettings: Sendable {
    public typealias Configuration = PostgresClient.Configuration
    /// Every host the application's login role (NOINHERIT, member of every tenant role) may reach.
    public var appHosts: DatabaseHosts
    /// The hosts of the role that owns schemas and tables; runs migrations and provisions
    /// départements. Nil where the process must not hold it (`rdv serve` in production).
    public var ownerHosts: DatabaseHosts?
    public var databaseName: String

    /// One host for each role.
    public init(app: PostgresClient.Configuration, owner: PostgresClient.Configuration?, databaseName: String) {
        self.init(appHosts: DatabaseHosts(app), ownerHosts: owner.map { DatabaseHosts($0) }, databaseName: databaseName)
    }

    public init(appHosts: DatabaseHosts, ownerHosts: DatabaseHosts?, databaseName: String) {
        self.appHosts = appHosts
        self.ownerHosts = ownerHosts
        self.databaseName = databaseName
    }

    /// The application role's first host.
    public var app: PostgresClient.Configuration {
        get { appHosts.configurations[0] }
        set { appHosts = DatabaseHosts([newValue], probeTimeout: appHosts.probeTimeout) }
    }

    /// The owner role's first host.
    public var owner: PostgresClient.Configuration? {
        get { ownerHosts?.configurations[0] }
        set { ownerHosts = newValue.map { DatabaseHosts([$0], probeTimeout: ownerHosts?.probeTimeout ?? .seconds(2)) } }
    }

    /// Names of roles derived from this database.
    public var layout: DatabaseLayout {
        DatabaseLayout(databaseName: databaseName, appRole: app.username)
    }

    /// The first host of `postgres://user:password@host:port/database?sslmode=…` (or `?host=/socket/dir`).
    public static func configuration(fromURL text: String) throws -> (PostgresClient.Configuration, database: String) {
        let (hosts, database) = try hosts(fromURL: text)
        return (hosts.configurations[0], database)
    }

    /// Reads a libpq-style URL, with one host or several:
    /// `postgres://user:password@host1:5432,host2:5433/database?target_session_attrs=read-write&sslmode=…`,
    /// or Unix socket folders in `?host=/dir1,/dir2` (with `port=` one for all, or one per folder).
    public static func hosts(fromURL text: String) throws -> (DatabaseHosts, database: String) {
        let (singleHostText, extraHosts) = try splitHostList(text)
        guard let url = URLComponents(string: singleHostText), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
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
        let target = try TargetSessionAttributes(parameter: query["target_session_attrs"])
        if let socketDirectories = query["host"], socketDirectories.hasPrefix("/") {
            let directories = socketDirectories.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let ports = try socketPorts(query["port"], count: directories.count, urlPort: url.port)
            let configurations = try zip(directories, ports).map { directory, port in
                guard directory.hasPrefix("/") else {
                    throw DatabaseURLError("DATABASE_URL : chaque dossier de socket de host= doit être un chemin absolu")
                }
                return PostgresClient.Configuration(
                    unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password, database: database
                )
            }
            return (DatabaseHosts(configurations, target: target), database)
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
        let endpoints = [(host, url.port ?? 5432)] + extraHosts
        let configurations = endpoints.map { host, port in
            PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        return (DatabaseHosts(configurations, target: target), database)
    }

    /// Splits `host1:p1,host2:p2` out of the URL's authority: the URL with the first host alone,
    /// and the other hosts (the port defaults to 5432 for each, as in libpq).
    static func splitHostList(_ text: String) throws -> (String, [(String, Int)]) {
        guard let schemeEnd = text.range(of: "://") else { return (text, []) }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let hostList = authority[hostsStart...]
        guard hostList.contains(",") else { return (text, []) }
        var hosts: [(String, Int)] = []
        for item in hostList.split(separator: ",", omittingEmptySubsequences: false) {
            guard let parsed = URLComponents(string: "postgres://\(item)"), let host = parsed.host, !host.isEmpty else {
                throw DatabaseURLError("DATABASE_URL : serveur illisible dans la liste « \(hostList) »")
            }
            hosts.append((host, parsed.port ?? 5432))
        }
        let first = hostList.split(separator: ",", omittingEmptySubsequences: false)[0]
        let single = String(text[..<hostsStart]) + first + String(rest[authorityEnd...])
        return (single, Array(hosts.dropFirst()))
    }

    private static func socketPorts(_ parameter: String?, count: Int, urlPort: Int?) throws -> [Int] {
        guard let parameter, !parameter.isEmpty else { return Array(repeating: urlPort ?? 5432, count: count) }
        let ports = try parameter.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let port = Int(text), (1...65535).contains(port) else {
                throw DatabaseURLError("DATABASE_URL : port invalide « \(text) »")
            }
            return port
        }
        if ports.count == 1 { return Array(repeating: ports[0], count: count) }
        guard ports.count == count else {
            throw DatabaseURLError("DATABASE_URL : port= doit donner un port pour tous les dossiers, ou un par dossier")
        }
        return ports
    }
}

/// Every host a role may reach, in the order of its URL, and which of them takes the work.
public struct DatabaseHosts: Sendable {
    /// Never empty.
    public let configurations: [PostgresClient.Configuration]
    public let target: TargetSessionAttributes
    /// How long one host may take to answer the probe that picks where the work goes (and to
    /// accept its connection). Two seconds in production; the test suite, which runs hundreds of
    /// databases at once on two cores, gives more.
    public var probeTimeout: Duration

    public init(_ configurations: [PostgresClient.Configuration], target: TargetSessionAttributes = .any, probeTimeout: Duration = .seconds(2)) {
        precondition(!configurations.isEmpty, "a database needs at least one host")
        self.configurations = configurations
        self.target = target
        self.probeTimeout = probeTimeout
    }

    public init(_ configuration: PostgresClient.Configuration) {
        self.init([configuration])
    }
}

/// libpq's `target_session_attrs`: which of the hosts the work goes to.
public enum TargetSessionAttributes: String, Sendable {
    /// The first host that answers.
    case any
    /// A host whose sessions may write (`transaction_read_only` is off).
    case readWrite = "read-write"
    /// A host that is not in recovery (not a standby).
    case primary

    init(parameter: String?) throws {
        guard let parameter, !parameter.isEmpty else { self = .any; return }
        guard let value = Self(rawValue: parameter) else {
            throw DatabaseURLError(
                "target_session_attrs inconnu dans DATABASE_URL : \(parameter) (any, read-write ou primary : la plateforme écrit)"
            )
        }
        self = value
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
