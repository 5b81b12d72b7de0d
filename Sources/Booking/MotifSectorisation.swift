import Foundation
import PostgresNIO
import Tenancy

/// The sectorisation level of motifs (`motifs.sectorisation_level`), kept apart from the agenda's
/// catalogue so that the booking flow reads it with the rest of sectorisation.
public struct MotifSectorisation: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// The level of a motif; nil when the département has no such motif.
    public func level(ofMotif motifID: UUID) async throws -> SectorisationLevel? {
        for try await raw in try await connection.query("SELECT sectorisation_level FROM motifs WHERE id = \(motifID)").decode(String.self) {
            return SectorisationLevel(rawValue: raw)
        }
        return nil
    }

    /// Sets the level of a motif; false when the département has no such motif.
    public func setLevel(_ level: SectorisationLevel, ofMotif motifID: UUID) async throws -> Bool {
        for try await _ in try await connection.query(
            "UPDATE motifs SET sectorisation_level = \(level.rawValue) WHERE id = \(motifID) RETURNING id"
        ) { return true }
        return false
    }
}
