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

    /// `apply` of files: also says which départements kept the membership data an operator set on
    /// the console (all of them get the file's data when `fileWins`).
    public func apply(
        _ definitions: [TenantDefinition], fileWins: Bool,
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> (outcomes: [SchemaOutcome], kept: [KeptMembership]) {
        try await runner.withLock { try await applyHoldingLock(definitions, fileWins: fileWins, progress: progress) }
    }

    /// `apply` for a caller that already holds the migration lock.
    public func applyHoldingLock(
        _ definitions: [TenantDefinition],
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> [SchemaOutcome] {
        try await applyHoldingLock(definitions, fileWins: false, progress: progress).outcomes
    }

    private func applyHoldingLock(
        _ definitions: [TenantDefinition], fileWins: Bool, progress: @escaping @Sendable (MigrationProgress) -> Void
    ) async throws -> (outcomes: [SchemaOutcome], kept: [KeptMembership]) {
        let shared = try await runner.migrateShared()
        guard shared.succeeded else { return ([shared], []) }
        let kept = try await registry.upsert(definitions, fileWins: fileWins)
        return ([shared] + (await runner.migrateTenants(definitions.map(\.code), progress: progress)), kept)
    }
}
