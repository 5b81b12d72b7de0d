import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Tenancy
import Webhooks

/// Webhook endpoints and their delivery logs through `WebhookEndpoints`, as the webhooks page
/// uses them: for the département's administrators only (the service checks it), the secret
/// shown once, at creation and at each rotation, never on a read.
extension APIRoutes {
    func registerWebhooks(on api: RouterGroup<APIRequestContext>) {
        api.get("/webhook_endpoints") { _, context in
            let representations = representations(context)
            let data = try await webhooks(context) { APIResponse.encode(["data": try await $0.list().map(representations.webhookEndpoint)]) }
            return APIResponse.json(data: data)
        }
        api.get("/webhook_endpoints/:id") { request, context in
            let endpointID = try pathID(context)
            let representations = representations(context)
            let data = try await webhooks(context) { APIResponse.encode(representations.webhookEndpoint(try await $0.find(endpointID))) }
            return APIResponse.conditional(request, data: data)
        }
        api.post("/webhook_endpoints") { request, context in
            var body = try await APIBody.read(request)
            let organisationID = body.uuid("organisation_id")
            let url = body.string("url", maximum: .max)
            let description = body.string("description", required: false, maximum: .max, allowsEmpty: true) ?? ""
            let models = body.webhookModels(required: true)
            let enabled = body.bool("enabled") ?? true
            try body.finish()
            guard let organisationID, let url, let models else { throw APIProblem.invalid(body.errors) }
            let draft = WebhookEndpointDraft(organisationID: organisationID, url: url, description: description, models: models, enabled: enabled)
            let representations = representations(context)
            do {
                // Replays of an Idempotency-Key get the endpoint without its secret: it is kept sealed only.
                return try await idempotent(request, context, body: body, creating: { connection in
                    let (endpoint, secret) = try await service(connection, context).create(draft)
                    return APICreation(
                        location: "/api/v1/webhook_endpoints/\(endpoint.id.uuidString.lowercased())",
                        body: APIResponse.encode(representations.webhookEndpoint(endpoint)),
                        firstAnswer: APIResponse.encode(representations.webhookEndpoint(endpoint, secret: secret))
                    )
                })
            } catch let error as WebhookError {
                throw APIProblem(webhook: error)
            }
        }
        api.patch("/webhook_endpoints/:id") { request, context in
            let endpointID = try pathID(context)
            var body = try await APIBody.read(request)
            let organisationID = body.fields["organisation_id"] == nil ? nil : body.uuid("organisation_id")
            let url = body.string("url", required: false, maximum: .max)
            let description = body.string("description", required: false, maximum: .max, allowsEmpty: true)
            let models = body.webhookModels(required: false)
            let enabled = body.bool("enabled")
            try body.finish()
            let representations = representations(context)
            let data = try await webhooks(context) { webhooks in
                let current = try await webhooks.find(endpointID, lock: true)
                try APIResponse.check(ifMatch: request, current: representations.webhookEndpoint(current))
                let draft = WebhookEndpointDraft(
                    organisationID: organisationID ?? current.organisationID, url: url ?? current.url,
                    description: description ?? current.description, models: models ?? current.models, enabled: enabled ?? current.enabled
                )
                return APIResponse.encode(representations.webhookEndpoint(try await webhooks.update(endpointID, draft)))
            }
            return APIResponse.json(data: data)
        }
        api.delete("/webhook_endpoints/:id") { _, context in
            let endpointID = try pathID(context)
            try await webhooks(context) { try await $0.delete(endpointID) }
            return Response(status: .noContent)
        }
        api.post("/webhook_endpoints/:id/rotate_secret") { _, context in
            let endpointID = try pathID(context)
            let representations = representations(context)
            let (data, etag) = try await webhooks(context) { webhooks -> (Data, String) in
                let secret = try await webhooks.rotateSecret(endpointID)
                let endpoint = try await webhooks.find(endpointID)
                return (
                    APIResponse.encode(representations.webhookEndpoint(endpoint, secret: secret)),
                    APIResponse.etag(of: APIResponse.encode(representations.webhookEndpoint(endpoint)))
                )
            }
            // The ETag is the endpoint's as GET shows it: the secret is no part of the version.
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .eTag: etag], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        api.get("/webhook_endpoints/:id/deliveries") { request, context in
            let endpointID = try pathID(context)
            var query = APIQuery(request)
            let limit = query.int("limit", in: 1...100) ?? 50
            try query.finish()
            let representations = representations(context)
            let data = try await webhooks(context) { webhooks in
                APIResponse.encode(["data": try await webhooks.deliveries(of: endpointID, limit: limit).map(representations.webhookDelivery)])
            }
            return APIResponse.json(data: data)
        }
        api.post("/webhook_endpoints/:id/deliveries/:delivery_id/replay") { _, context in
            let endpointID = try pathID(context), deliveryID = try pathID(context, "delivery_id")
            try await webhooks(context) { try await $0.replay(deliveryID, of: endpointID) }
            return APIResponse.json(["count": 1], status: .accepted)
        }
        api.post("/webhook_endpoints/:id/resend_all") { _, context in
            let endpointID = try pathID(context)
            let count = try await webhooks(context) { try await $0.resendAll(endpointID) }
            return APIResponse.json(["count": count], status: .accepted)
        }
    }

    /// The webhook use cases of the token's agent, in this transaction.
    private func service(_ connection: TenantConnection, _ context: APIRequestContext) -> WebhookEndpoints {
        let configuration = services.configuration
        return WebhookEndpoints(connection, actor: context.agent.actor, platformSecret: configuration.secretKey, policy: configuration.webhookTargets)
    }

    /// One webhook use case in one transaction, its refusals as problems.
    private func webhooks<T: Sendable>(
        _ context: APIRequestContext, _ body: @escaping @Sendable (WebhookEndpoints) async throws -> T
    ) async throws -> T {
        do {
            return try await context.database.transaction { try await body(service($0, context)) }
        } catch let error as WebhookError {
            throw APIProblem(webhook: error)
        }
    }
}

extension APIBody {
    /// `models`, a list of the kinds of records to send (absent: nil, or an error when required).
    mutating func webhookModels(required: Bool) -> [WebhookModel]? {
        guard let value = fields["models"], !(value is NSNull) else {
            if required { require(false, "models", "Ce champ est obligatoire : la liste des types d’objets à envoyer.") }
            return nil
        }
        let names = value as? [Any] ?? [0]
        let models = names.compactMap { ($0 as? String).flatMap(WebhookModel.init(rawValue:)) }
        guard models.count == names.count else {
            require(false, "models", "Attendu : une liste parmi \(WebhookModel.allCases.map(\.rawValue).joined(separator: ", ")).")
            return nil
        }
        return models
    }

    /// A JSON boolean, nil when absent.
    mutating func bool(_ name: String) -> Bool? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, Self.isBoolean(number) else {
            require(false, name, "Attendu : true ou false.")
            return nil
        }
        return number.boolValue
    }
}
