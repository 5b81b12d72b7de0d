import Agenda
import Foundation
import PostgresNIO
import Tenancy

extension TenantConnection {
    /// The id a statement returns (`RETURNING id`), for fixtures that write rows directly.
    public func returnedID(_ query: PostgresQuery) async throws -> UUID {
        for try await id in try await self.query(query).decode(UUID.self) { return id }
        throw MissingReturnedRow(query.sql)
    }
}

extension TestWorld {
    /// A service "PMI", a lieu "Centre" and a 30-minute motif "Consultation" of `organisation`,
    /// written as plain rows (no catalog rule in the way of fixtures that backdate them).
    public func makeLieuAndMotif(in tenant: Tenant, organisation: Organisation) async throws -> (lieu: UUID, motif: UUID) {
        try await database.tenant(tenant).transaction { connection in
            let service = try await connection.returnedID("INSERT INTO services (name) VALUES ('PMI') RETURNING id")
            let lieu = try await connection.returnedID("INSERT INTO lieux (organisation_id, name) VALUES (\(organisation.id), 'Centre') RETURNING id")
            let motif = try await connection.returnedID(
                """
                INSERT INTO motifs (organisation_id, service_id, name, duration_minutes) VALUES (\(organisation.id), \(service), 'Consultation', 30)
                RETURNING id
                """
            )
            return (lieu, motif)
        }
    }
}
