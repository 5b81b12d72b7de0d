import Agenda
import Crypto
import Foundation
import Identity
import Logging
import Notifications
import PostgresNIO
import ServiceLifecycle
import Tenancy

/// The owner side of the console: carries out the openings of départements and the archives of
/// their data that operators asked for (the web process, as the application role, may do neither).
///
/// Each step is idempotent, and a request remembers the last one it completed, so a request
/// that stopped (a migration failed, the invitation could not be queued) is finished by running
/// it again. Until the last step the département is in status `provisioning`: its hosts say it
/// is opening, it serves nothing and sends nothing. It runs in `rdv tenants provision` (once, or
/// `--watch` as a service beside `rdv serve`), and inside `rdv serve` in development.
public struct OwnerJobs: Service {
    let owner: OwnerDatabase
    let database: Database
    let runner: MigrationRunner
    /// `https://<slug>.<base domain>`: where the first administrator's invitation leads.
    let link: @Sendable (String) -> String
    let interval: Duration
    let logger: Logger
    /// Where archives are written (and downloaded from by the console); nil: no archives here.
    let exportDirectory: URL?
    /// How long an archive stays in the export folder.
    let exportLifetime: TimeInterval = 7 * 86_400

    public init(
        owner: OwnerDatabase, database: Database, runner: MigrationRunner, exportDirectory: URL? = nil,
        interval: Duration = .seconds(3), logger: Logger, link: @escaping @Sendable (String) -> String
    ) {
        self.owner = owner
        self.database = database
        self.runner = runner
        self.exportDirectory = exportDirectory
        self.interval = interval
        self.logger = logger
        self.link = link
    }

    /// What happened to one request.
    public struct Outcome: Sendable, Equatable {
        public let request: UUID
        public let state: ProvisioningRequest.State
        public let error: String?
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await runPending()
                _ = await runPendingExports()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Carries out every pending request, oldest first.
    public func runPending() async -> [Outcome] {
        var outcomes: [Outcome] = []
        do {
            try await releaseAbandoned()
            while let request = try await claim() {
                outcomes.append(await carryOut(request))
            }
        } catch {
            logger.warning("provisioning queue unavailable", metadata: ["error": .string(String(describing: type(of: error)))])
        }
        return outcomes
    }

    /// A request left `running` by a process that died goes back to the queue.
    private func releaseAbandoned() async throws {
        try await owner.administration.query(
            """
            UPDATE shared.provisioning_requests SET state = 'pending', updated_at = now()
            WHERE state = 'running' AND updated_at < now() - interval '15 minutes'
            """
        )
    }

    private func claim() async throws -> ProvisioningRequest? {
        let rows = try await owner.administration.query(
            """
            UPDATE shared.provisioning_requests SET state = 'running', attempts = attempts + 1, error = NULL, updated_at = now()
            WHERE id = (
                SELECT id FROM shared.provisioning_requests WHERE state = 'pending'
                ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: ProvisioningRequests.columns)
            """
        )
        for try await row in rows { return try ProvisioningRequests.decode(row) }
        return nil
    }

    private func carryOut(_ request: ProvisioningRequest) async -> Outcome {
        var step = request.nextStep
        var tenantID = request.tenantID
        do {
            while let current = step {
                logger.info("provisioning step", metadata: ["request": .string(request.id.uuidString), "step": .string(current.rawValue)])
                tenantID = try await perform(current, of: request, tenantID: tenantID)
                try await owner.administration.query(
                    "UPDATE shared.provisioning_requests SET step = \(current.rawValue), tenant_id = \(tenantID), updated_at = now() WHERE id = \(request.id)"
                )
                step = ProvisioningRequest.Step.allCases.first { $0 > current }
            }
            try await finish(request, tenantID: tenantID)
            return Outcome(request: request.id, state: .done, error: nil)
        } catch {
            let message = Self.french(error, at: step ?? .invited)
            logger.warning("provisioning stopped", metadata: ["request": .string(request.id.uuidString), "step": .string(step?.rawValue ?? "end")])
            _ = try? await owner.administration.query(
                """
                WITH failed AS (
                    UPDATE shared.provisioning_requests SET state = 'failed', error = \(message), tenant_id = \(tenantID), updated_at = now()
                    WHERE id = \(request.id) RETURNING id
                )
                INSERT INTO shared.consortium_audit_events (action, tenant_id, details)
                SELECT \(AuditLog.Event.provisioningFailed.rawValue), \(tenantID), jsonb_build_object('request', id::text, 'step', \(step?.rawValue)::text)
                FROM failed
                """
            )
            return Outcome(request: request.id, state: .failed, error: message)
        }
    }

    /// Carries out one step; returns the département's registry id once it has one.
    private func perform(_ step: ProvisioningRequest.Step, of request: ProvisioningRequest, tenantID: Int?) async throws -> Int? {
        switch step {
        case .registered:
            let registered = try await database.registeredTenants()
            // The console checked, but another opening or a TOML file may have come in between.
            // A département still being opened under this code is this request's own, registered by an
            // attempt that stopped before it could say so.
            let ours = { (tenant: Tenant) in tenant.id == tenantID || (tenant.status == .provisioning && tenant.code == request.definition.code) }
            if let taken = registered.first(where: { $0.code == request.definition.code || $0.slug == request.definition.slug }), !ours(taken) {
                throw Refused("le département \(taken.code.value) ou le sous-domaine « \(taken.slug) » est déjà celui de « \(taken.name) »")
            }
            try await TenantRegistry(owner: owner).upsert([request.definition], source: .console(actor: request.requestedBy))
            return try await database.registeredTenants().first { $0.code == request.definition.code }?.id
        case .migrated:
            let outcomes = try await runner.withLock { await runner.migrateTenants([request.definition.code]) }
            if let failure = outcomes.first(where: { !$0.succeeded }) {
                throw Refused("la migration du schéma \(failure.schema) a échoué (\(failure.error.map { String(describing: $0) } ?? "erreur inconnue"))")
            }
            return tenantID
        case .organisation:
            let tenant = try await self.tenant(tenantID)
            try await database.tenant(tenant).transaction { connection in
                _ = try await OrganisationRepository(connection).ensure(named: request.organisationName)
            }
            return tenantID
        case .invited:
            let tenant = try await self.tenant(tenantID)
            guard let administrator = request.administrator else { return tenantID }
            let link = self.link(tenant.slug)
            let organisationName = request.organisationName
            try await database.tenant(tenant).transaction { connection in
                // Already invited by an earlier attempt: the account and its email were written together.
                guard try await AgentRepository(connection).find(email: administrator.email) == nil else { return }
                let organisation = try await OrganisationRepository(connection).ensure(named: organisationName)
                let invitee = AgentInvitation.Invitee(
                    email: administrator.email, firstName: administrator.firstName, lastName: administrator.lastName,
                    role: .deptAdmin, organisationID: organisation.id
                )
                _ = try await AgentInvitation(connection).invite(invitee, by: .consortium, tenant: tenant, link: link)
            }
            return tenantID
        }
    }

    /// Opens the département and closes the request, erasing the administrator's name and
    /// address from `shared`: they live in the département's schema now.
    private func finish(_ request: ProvisioningRequest, tenantID: Int?) async throws {
        guard let tenantID else { throw Refused("le département n’a pas été inscrit") }
        try await owner.administration.transaction { connection in
            try await connection.query(
                "UPDATE shared.tenants SET status = 'active', updated_at = now() WHERE id = \(tenantID) AND status = 'provisioning'"
            )
            try await connection.query(
                """
                UPDATE shared.provisioning_requests SET state = 'done', completed_at = now(), updated_at = now(), error = NULL,
                    admin_email = NULL, admin_first_name = NULL, admin_last_name = NULL
                WHERE id = \(request.id)
                """
            )
            try await connection.query(
                """
                INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, details)
                VALUES (\(AuditLog.Event.tenantProvisioned.rawValue), \(request.requestedBy), \(tenantID), jsonb_build_object('request', \(request.id)::text))
                """
            )
        }
    }

    private func tenant(_ id: Int?) async throws -> Tenant {
        guard let tenant = try await database.registeredTenants().first(where: { $0.id == id }) else {
            throw Refused("le département n’est plus au registre")
        }
        return tenant
    }

    /// The operator's explanation of why a step stopped. The database's own message is kept (it
    /// says which constraint or trigger refused), never logged.
    static func french(_ error: any Error, at step: ProvisioningRequest.Step) -> String {
        let reason: String
        if let refused = error as? Refused {
            reason = refused.reason
        } else if let error = error as? PSQLError {
            reason = "la base de données a refusé l’opération (\(error.serverInfo?[.message] ?? "connexion perdue"))"
        } else {
            reason = String(describing: error)
        }
        return "Étape « \(step.frenchName) » : \(reason)."
    }

    struct Refused: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

extension OwnerJobs {
    /// Writes every archive asked for, oldest first, and deletes those past their week.
    public func runPendingExports() async -> [ExportRequest] {
        guard let exportDirectory else { return [] }
        var done: [ExportRequest] = []
        do {
            try await expireArchives(in: exportDirectory)
            while let claimed = try await claimExport() {
                done.append(try await write(claimed, into: exportDirectory))
            }
        } catch {
            logger.warning("export queue unavailable", metadata: ["error": .string(String(describing: type(of: error)))])
        }
        return done
    }

    private func claimExport() async throws -> ExportRequest? {
        let rows = try await owner.administration.query(
            """
            UPDATE shared.export_requests SET state = 'running', attempts = attempts + 1, updated_at = now()
            WHERE id = (
                SELECT id FROM shared.export_requests
                WHERE state = 'pending' OR (state = 'running' AND updated_at < now() - interval '1 hour')
                ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: ExportRequests.columns)
            """
        )
        for try await row in rows { return try ExportRequests.decode(row) }
        return nil
    }

    private func write(_ request: ExportRequest, into directory: URL) async throws -> ExportRequest {
        let tenants = try await database.registeredTenants()
        do {
            guard let tenant = tenants.first(where: { $0.id == request.tenantID }) else { throw Refused("le département n’est plus au registre") }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let name = "\(tenant.slug)-\(day)-\(request.id.uuidString.prefix(8).lowercased()).tar"
            let file = directory.appendingPathComponent(name)
            let written = try await TenantArchive(owner: owner, catalog: runner.catalog).export(tenant: tenant, to: file)
            let sha256 = try ArchiveChecksum.sha256(of: file)
            try await owner.administration.query(
                """
                WITH done AS (
                    UPDATE shared.export_requests SET state = 'done', file_name = \(name), bytes = \(written.archiveBytes),
                        total_rows = \(written.totalRows), sha256 = \(sha256), error = NULL, completed_at = now(),
                        expires_at = now() + make_interval(secs => \(exportLifetime)), updated_at = now()
                    WHERE id = \(request.id) RETURNING tenant_id, requested_by
                )
                INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, details)
                SELECT \(AuditLog.Event.tenantExported.rawValue), requested_by, tenant_id, jsonb_build_object('request', \(request.id)::text) FROM done
                """
            )
        } catch {
            let reason = (error as? Refused)?.reason ?? String(describing: error)
            logger.warning("export stopped", metadata: ["request": .string(request.id.uuidString)])
            try await owner.administration.query(
                """
                WITH failed AS (
                    UPDATE shared.export_requests SET state = 'failed', error = \("L’archive n’a pas pu être écrite : \(reason)."), updated_at = now()
                    WHERE id = \(request.id) RETURNING tenant_id, requested_by
                )
                INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, details)
                SELECT \(AuditLog.Event.exportFailed.rawValue), requested_by, tenant_id, jsonb_build_object('request', \(request.id)::text) FROM failed
                """
            )
        }
        return try await ExportRequests.load(owner.administration, id: request.id).first ?? request
    }

    /// Archives hold personal data: a week after they were written, the file goes.
    private func expireArchives(in directory: URL) async throws {
        let rows = try await owner.administration.query(
            """
            UPDATE shared.export_requests SET state = 'expired', updated_at = now()
            WHERE state = 'done' AND expires_at < now() RETURNING file_name
            """
        )
        for try await name in rows.decode(String?.self) {
            guard let name else { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// The SHA-256 of a file, read in pieces, as the console shows it beside the download.
enum ArchiveChecksum {
    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
