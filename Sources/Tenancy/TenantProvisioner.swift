/// Brings départements into being: registry rows, role, schema, migrations.
public struct TenantProvisioner: Sendable {
    let runner: MigrationRunner
    let registry: TenantRegistry

    public init(runner: MigrationRunner, registry: TenantRegistry) {
        self.runner = runner
        self.registry = registry
    }

    /// Upserts every definition (one transaction), then creates and migrates their schemas.
    /// The caller validates the definitions first; this holds the migration lock throughout.
    public func apply(
        _ definitions: [TenantDefinition],
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> [SchemaOutcome] {
        try await runner.withLock { try await applyHoldingLock(definitions, progress: progress) }
    }

    /// `apply` for a caller that already holds the migration lock.
    public func applyHoldingLock(
        _ definitions: [TenantDefinition],
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> [SchemaOutcome] {
        let shared = try await runner.migrateShared()
        guard shared.succeeded else { return [shared] }
        try await registry.upsert(definitions)
        return [shared] + (await runner.migrateTenants(definitions.map(\.code), progress: progress))
    }
}
