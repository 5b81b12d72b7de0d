import Foundation
import PostgresNIO
import Tenancy

/// Organisations of the département whose transaction this is.
public struct OrganisationRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    public func all() async throws -> [Organisation] {
        let rows = try await connection.query("SELECT id, name FROM organisations ORDER BY name")
        var organisations: [Organisation] = []
        for try await (id, name) in rows.decode((UUID, String).self) {
            organisations.append(Organisation(id: id, name: name))
        }
        return organisations
    }

    /// Adds an organisation unless one of that name exists; returns it either way.
    @discardableResult
    public func ensure(named name: String) async throws -> Organisation {
        let rows = try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO organisations (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id, name
            )
            SELECT id, name FROM inserted UNION ALL SELECT id, name FROM organisations WHERE name = \(name)
            LIMIT 1
            """
        )
        for try await (id, name) in rows.decode((UUID, String).self) {
            return Organisation(id: id, name: name)
        }
        throw MissingReturnedRow("organisations")
    }
}
