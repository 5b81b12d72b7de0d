import Foundation
import PostgresNIO
import Tenancy

/// Hosts where no PostgreSQL listens, for the failover tests.
public enum UnreachableHosts {
    /// A loopback TCP port that was free a moment ago and has nobody listening now.
    public static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestWorldError.database("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw TestWorldError.database("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The application role of `settings` on a loopback port where nothing listens.
    public static func configuration(like settings: DatabaseSettings) throws -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: "127.0.0.1", port: try closedPort(), username: settings.app.username, password: nil,
            database: settings.databaseName, tls: .disable
        )
    }
}
