import Foundation
import Identity
import Tenancy

/// The webhook use cases, for the pages and the API alike: each in the caller's tenant
/// transaction, the permission checked inside (the département's administrators only).
public struct WebhookEndpoints: Sendable {
    /// How long a former secret still signs after a rotation.
    public static let rotationGrace: TimeInterval = 24 * 3600

    let connection: TenantConnection
    let actor: Actor
    let box: WebhookSecretBox
    let policy: WebhookTargetPolicy

    public init(_ connection: TenantConnection, actor: Actor, platformSecret: Data, policy: WebhookTargetPolicy) {
        self.connection = connection
        self.actor = actor
        self.box = WebhookSecretBox(platformSecret: platformSecret)
        self.policy = policy
    }

    public func list() async throws -> [WebhookEndpoint] {
        try authorize()
        return try await WebhookEndpointRepository(connection).all()
    }

    /// `lock` keeps its row for a write checked against the version read.
    public func find(_ id: UUID, lock: Bool = false) async throws -> WebhookEndpoint {
        try authorize()
        guard let endpoint = try await WebhookEndpointRepository(connection).find(id, lock: lock) else { throw WebhookError.notFound }
        return endpoint
    }

    /// Creates the endpoint and returns its secret, the only time it is shown.
    public func create(_ draft: WebhookEndpointDraft) async throws -> (WebhookEndpoint, WebhookSecret) {
        try authorize()
        let clean = try await validated(draft)
        let secret = WebhookSecret.generate()
        let endpoint = try await WebhookEndpointRepository(connection).create(clean, sealedSecret: try box.seal(secret))
        return (endpoint, secret)
    }

    public func update(_ id: UUID, _ draft: WebhookEndpointDraft) async throws -> WebhookEndpoint {
        try authorize()
        let clean = try await validated(draft)
        guard try await WebhookEndpointRepository(connection).update(id, clean) else { throw WebhookError.notFound }
        return try await find(id)
    }

    /// A new secret, shown once; the former one keeps signing for a day.
    public func rotateSecret(_ id: UUID, now: Date = Date()) async throws -> WebhookSecret {
        try authorize()
        let secret = WebhookSecret.generate()
        guard try await WebhookEndpointRepository(connection).rotate(id, sealedSecret: try box.seal(secret), graceUntil: now.addingTimeInterval(Self.rotationGrace))
        else { throw WebhookError.notFound }
        return secret
    }

    public func delete(_ id: UUID) async throws {
        try authorize()
        guard try await WebhookEndpointRepository(connection).delete(id) else { throw WebhookError.notFound }
    }

    public func deliveries(of id: UUID, limit: Int = 100) async throws -> [WebhookLogEntry] {
        _ = try await find(id)
        return try await WebhookDeliveryLog(connection).entries(of: id, limit: limit)
    }

    public func replay(_ deliveryID: UUID, of id: UUID) async throws {
        _ = try await find(id)
        guard try await WebhookDeliveryLog(connection).replay(deliveryID, of: id) else { throw WebhookError.notFound }
    }

    /// Queues every subscribed record again; returns how many events.
    public func resendAll(_ id: UUID) async throws -> Int {
        let endpoint = try await find(id)
        return try await WebhookDeliveryLog(connection).resendAll(to: endpoint)
    }

    private func authorize() throws {
        guard Policy.can(actor, .manageDepartement) else { throw WebhookError.forbidden }
    }

    private func validated(_ draft: WebhookEndpointDraft) async throws -> WebhookEndpointDraft {
        var clean = draft
        clean.url = draft.url.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.models = WebhookModel.allCases.filter(draft.models.contains)
        guard !clean.models.isEmpty else { throw WebhookError.noModel }
        guard clean.description.storedLength <= 200 else { throw WebhookError.descriptionTooLong }
        guard clean.url.count <= 2000 else { throw WebhookError.target(.malformed) }
        var known = false
        for try await _ in try await connection.query("SELECT 1 FROM organisations WHERE id = \(draft.organisationID)") { known = true }
        guard known else { throw WebhookError.unknownOrganisation }
        if let refusal = await policy.check(clean.url) { throw WebhookError.target(refusal) }
        return clean
    }
}
