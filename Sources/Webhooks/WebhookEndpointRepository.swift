import Foundation
import PostgresNIO
import Tenancy

/// The webhook_endpoints table of one département.
public struct WebhookEndpointRepository: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    static let columns = """
        SELECT e.id, e.organisation_id, o.name, e.url, e.description, e.models, e.enabled, e.disabled_reason, e.previous_secret_until, e.created_at
        FROM webhook_endpoints e JOIN organisations o ON o.id = e.organisation_id
        """

    public func all() async throws -> [WebhookEndpoint] {
        try await endpoints("\(unescaped: Self.columns) ORDER BY o.name, e.created_at")
    }

    /// `lock` keeps the endpoint's row until the transaction ends, for a checked write.
    public func find(_ id: UUID, lock: Bool = false) async throws -> WebhookEndpoint? {
        try await endpoints("\(unescaped: Self.columns) WHERE e.id = \(id) \(unescaped: lock ? "FOR UPDATE OF e" : "")").first
    }

    public func create(_ draft: WebhookEndpointDraft, sealedSecret: Data) async throws -> WebhookEndpoint {
        let models = draft.models.map(\.rawValue)
        for try await id in try await connection.query(
            """
            INSERT INTO webhook_endpoints (organisation_id, url, description, models, secret_sealed, enabled)
            VALUES (\(draft.organisationID), \(draft.url), \(draft.description), \(models), \(sealedSecret), \(draft.enabled)) RETURNING id
            """
        ).decode(UUID.self) {
            if let endpoint = try await find(id) { return endpoint }
        }
        throw MissingReturnedRow("webhook endpoint")
    }

    /// Re-enabling clears the reason it was disabled for.
    public func update(_ id: UUID, _ draft: WebhookEndpointDraft) async throws -> Bool {
        let models = draft.models.map(\.rawValue)
        return try await returnsRow(
            """
            UPDATE webhook_endpoints SET organisation_id = \(draft.organisationID), url = \(draft.url), description = \(draft.description),
                models = \(models), enabled = \(draft.enabled), disabled_reason = CASE WHEN \(draft.enabled) THEN NULL ELSE disabled_reason END,
                updated_at = now()
            WHERE id = \(id) RETURNING id
            """
        )
    }

    /// The new secret signs from now on; the current one also signs until `graceUntil`.
    public func rotate(_ id: UUID, sealedSecret: Data, graceUntil: Date) async throws -> Bool {
        try await returnsRow(
            """
            UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = \(graceUntil),
                secret_sealed = \(sealedSecret), updated_at = now()
            WHERE id = \(id) RETURNING id
            """
        )
    }

    public func delete(_ id: UUID) async throws -> Bool {
        try await returnsRow("DELETE FROM webhook_endpoints WHERE id = \(id) RETURNING id")
    }

    /// The receiver said the endpoint is gone (410): nothing more is posted, and what waits is dropped.
    public func disable(_ id: UUID, reason: String) async throws {
        try await connection.query("UPDATE webhook_endpoints SET enabled = false, disabled_reason = \(reason), updated_at = now() WHERE id = \(id)")
        try await connection.query(
            """
            UPDATE messages SET state = 'cancelled', locked_until = NULL, last_error = \(reason)
            WHERE channel = 'webhook' AND webhook_endpoint_id = \(id) AND state = 'queued'
            """
        )
    }

    /// The sealed secrets that sign at `now`, current first, with the target and whether it is on.
    func signing(_ id: UUID, now: Date) async throws -> (url: String, enabled: Bool, sealed: [Data])? {
        for try await (url, enabled, current, previous, until) in try await connection.query(
            "SELECT url, enabled, secret_sealed, previous_secret_sealed, previous_secret_until FROM webhook_endpoints WHERE id = \(id)"
        ).decode((String, Bool, Data, Data?, Date?).self) {
            var sealed = [current]
            if let previous, let until, until > now { sealed.append(previous) }
            return (url, enabled, sealed)
        }
        return nil
    }

    private func returnsRow(_ query: PostgresQuery) async throws -> Bool {
        for try await _ in try await connection.query(query) { return true }
        return false
    }

    private func endpoints(_ query: PostgresQuery) async throws -> [WebhookEndpoint] {
        var found: [WebhookEndpoint] = []
        for try await row in try await connection.query(query)
            .decode((UUID, UUID, String, String, String, [String], Bool, String?, Date?, Date).self) {
            found.append(WebhookEndpoint(
                id: row.0, organisationID: row.1, organisationName: row.2, url: row.3, description: row.4,
                models: row.5.compactMap(WebhookModel.init(rawValue:)), enabled: row.6, disabledReason: row.7,
                previousSecretUntil: row.8, createdAt: row.9
            ))
        }
        return found
    }
}
