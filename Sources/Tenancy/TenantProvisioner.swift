/// Brings départements into being: registry rows, role, schema, migrations.
public struct TenantProvisioner: Sendable {
    let runner: MigrationRunner
    let registry: TenantRegistry

    public init(runner: MigrationRunner, registry: TenantRegistry) {
        self.runner = runner
        self.registry = registry
    }

    /// What applying definitions did.
    public struct Applied: Sendable {
        /// Schema `shared` first, then each département's schema.
        public let outcomes: [SchemaOutcome]
        /// What the files did not change because the console manages it.
        public let kept: TenantRegistry.Upserted
        public var keptByConsole: [TenantRegistry.KeptByConsole] { kept.keptByConsole }
        public var keptMemberships: [KeptMembership] { kept.keptMemberships }

        public var succeeded: Bool { outcomes.allSatisfy(\.succeeded) }
    }

    /// Upserts every definition (one transaction), then creates and migrates their schemas.
    /// The caller validates the definitions first; this holds the migration lock throughout.
    public func apply(
        _ definitions: [TenantDefinition], source: TenantRegistry.Source = .file(),
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> Applied {
        try await runner.withLock { try await applyHoldingLock(definitions, source: source, progress: progress) }
    }

    /// `apply` for a caller that already holds the migration lock.
    public func applyHoldingLock(
        _ definitions: [TenantDefinition], source: TenantRegistry.Source = .file(),
        progress: @escaping @Sendable (MigrationProgress) -> Void = { _ in }
    ) async throws -> Applied {
        let shared = try await runner.migrateShared()
        guard shared.succeeded else { return Applied(outcomes: [shared], kept: .init()) }
        let kept = try await registry.upsert(definitions, source: source)
        let schemas = await runner.migrateTenants(definitions.map(\.code), progress: progress)
        return Applied(outcomes: [shared] + schemas, kept: kept)
    }
}
