import Agenda
import Foundation
import Identity
import Logging
import PostgresNIO
import Tenancy
import TestSupport
import Transports
import Webhooks

/// A département with an organisation and its administrator, webhook endpoints made through the
/// use cases, and the real worker posting over HTTP.
struct WebhookFixture {
    let world: TestWorld
    let tenant: Tenant
    let organisation: Organisation
    let admin: Agent

    /// The tests' receiver listens on 127.0.0.1.
    static let loopbackAllowed = WebhookTargetPolicy(requiresHTTPS: false, allowedKinds: [.loopback])

    static func make(_ world: TestWorld, name: String? = nil) async throws -> WebhookFixture {
        let tenant = try await world.makeTenant(name: name)
        let organisation = try await world.makeOrganisation(in: tenant)
        let admin = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
        return WebhookFixture(world: world, tenant: tenant, organisation: organisation, admin: admin)
    }

    func endpoints<T: Sendable>(
        policy: WebhookTargetPolicy = loopbackAllowed, _ body: @Sendable (WebhookEndpoints) async throws -> T
    ) async throws -> T {
        let actor = admin.actor
        return try await world.database.tenant(tenant).transaction { connection in
            try await body(WebhookEndpoints(connection, actor: actor, platformSecret: TestWorld.secretKey, policy: policy))
        }
    }

    func createEndpoint(_ url: String, models: [WebhookModel] = [.lieu]) async throws -> (endpoint: WebhookEndpoint, secret: WebhookSecret) {
        let draft = WebhookEndpointDraft(organisationID: organisation.id, url: url, description: "essai", models: models)
        let (endpoint, secret) = try await endpoints { try await $0.create(draft) }
        return (endpoint, secret)
    }

    func worker(policy: WebhookTargetPolicy = loopbackAllowed) -> WebhookWorker {
        var logger = Logger(label: "rdv.tests.webhooks")
        logger.logLevel = .critical
        return WebhookWorker(
            database: world.database,
            configuration: WebhookConfiguration(transport: WebhookHTTPTransport(), policy: policy, platformSecret: TestWorld.secretKey),
            logger: logger
        )
    }

    /// Runs SQL in the département's transaction, as any path that changes records would.
    @discardableResult
    func sql(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await world.database.tenant(tenant).transaction { connection in
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query) { rows.append(row) }
            return rows
        }
    }

    func makeLieu(_ name: String = "Lieu \(TestWorld.randomLabel(length: 5))") async throws -> UUID {
        let rows = try await sql("INSERT INTO lieux (organisation_id, name, address) VALUES (\(organisation.id), \(name), '1 rue de la Paix, Arras') RETURNING id")
        return try rows[0].decode(UUID.self)
    }

    /// The endpoint's events: state, attempts and event, in capture order.
    func events(of endpointID: UUID) async throws -> [(state: String, attempts: Int, event: String, record: String, next: Date)] {
        try await sql(
            """
            SELECT state, attempts, webhook_event, webhook_record, next_attempt_at FROM messages
            WHERE channel = 'webhook' AND webhook_endpoint_id = \(endpointID) ORDER BY webhook_sequence
            """
        ).map { try $0.decode((String, Int, String, String, Date).self) }.map { ($0.0, $0.1, $0.2, $0.3, $0.4) }
    }
}
