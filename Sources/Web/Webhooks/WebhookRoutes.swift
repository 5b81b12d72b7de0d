import Agenda
import Foundation
import Hummingbird
import Identity
import Tenancy
import Webhooks

/// The département's webhooks, for its administrators: endpoints per organisation (the secret
/// shown once, at creation and at each rotation), and each endpoint's delivery log with a
/// replay button and "resend everything" for a resync.
struct WebhookRoutes: Sendable {
    let pages: TenantPages
    let forms: Forms

    func register(on group: RouterGroup<AgentRequestContext>) {
        group.get("/webhooks") { request, context in
            try await listPage(request, context)
        }
        group.post("/webhooks") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let draft = WebhookForm.draft(from: fields)
            do {
                let (endpoint, secret) = try await context.database.transaction { try await service($0, context).create(draft) }
                return try await endpointPage(request, context, endpoint.id, notice: "Webhook créé.", secret: secret)
            } catch let error as WebhookError where error.refusal == .invalid {
                return try await listPage(request, context, errors: [error.french], form: fields, status: .unprocessableContent)
            }
        }
        group.get("/webhooks/:id") { request, context in
            try await endpointPage(request, context, try id(context))
        }
        group.post("/webhooks/:id") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let endpointID = try id(context)
            let draft = WebhookForm.draft(from: fields)
            do {
                _ = try await context.database.transaction { try await service($0, context).update(endpointID, draft) }
                return try await endpointPage(request, context, endpointID, notice: "Webhook enregistré.")
            } catch let error as WebhookError where error.refusal == .invalid {
                return try await endpointPage(request, context, endpointID, errors: [error.french], form: fields, status: .unprocessableContent)
            }
        }
        group.post("/webhooks/:id/secret") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let endpointID = try id(context)
            let secret = try await context.database.transaction { try await service($0, context).rotateSecret(endpointID) }
            return try await endpointPage(
                request, context, endpointID, notice: "Nouveau secret : l’ancien signe encore pendant 24 heures, le temps de le remplacer.", secret: secret
            )
        }
        group.post("/webhooks/:id/supprimer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let endpointID = try id(context)
            try await context.database.transaction { try await service($0, context).delete(endpointID) }
            return try await listPage(request, context, notice: "Webhook supprimé.")
        }
        group.post("/webhooks/:id/tout-renvoyer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let endpointID = try id(context)
            let count = try await context.database.transaction { try await service($0, context).resendAll(endpointID) }
            return try await endpointPage(request, context, endpointID, notice: "\(count) envoi\(count > 1 ? "s" : "") programmé\(count > 1 ? "s" : "") pour la resynchronisation.")
        }
        group.post("/webhooks/:id/envois/:delivery/rejouer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let endpointID = try id(context)
            guard let deliveryID = context.parameters.get("delivery").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            try await context.database.transaction { try await service($0, context).replay(deliveryID, of: endpointID) }
            return try await endpointPage(request, context, endpointID, notice: "L’envoi repart avec les données du moment.")
        }
    }

    private func service(_ connection: TenantConnection, _ context: AgentRequestContext) -> WebhookEndpoints {
        let configuration = forms.services.configuration
        return WebhookEndpoints(connection, actor: context.agent.actor, platformSecret: configuration.secretKey, policy: configuration.webhookTargets)
    }

    private func id(_ context: AgentRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
        return id
    }

    private func listPage(
        _ request: Request, _ context: AgentRequestContext, notice: String? = nil, errors: [String] = [], form: [String: String]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (endpoints, organisations) = try await context.database.transaction { connection in
            (try await service(connection, context).list(), try await OrganisationRepository(connection).all())
        }
        var values: [String: Any] = [
            "pageTitle": "Webhooks – \(context.tenant.name)", "errors": errors,
            "endpoints": endpoints.map(WebhookForm.row), "hasEndpoints": !endpoints.isEmpty,
            "form": WebhookForm.values(form ?? [:], organisations: organisations, selected: form.map { WebhookForm.draft(from: $0).models } ?? [.rdv]),
        ]
        values["notice"] = notice
        return pages.render("webhooks", values, request: request, context: context, status: status)
    }

    private func endpointPage(
        _ request: Request, _ context: AgentRequestContext, _ endpointID: UUID, notice: String? = nil, secret: WebhookSecret? = nil,
        errors: [String] = [], form: [String: String]? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (endpoint, log, organisations) = try await context.database.transaction { connection in
            let webhooks = service(connection, context)
            return (try await webhooks.find(endpointID), try await webhooks.deliveries(of: endpointID), try await OrganisationRepository(connection).all())
        }
        let fields = form ?? WebhookForm.fields(of: endpoint)
        var values: [String: Any] = [
            "pageTitle": "Webhook – \(context.tenant.name)", "errors": errors, "endpoint": WebhookForm.row(endpoint), "endpointID": endpoint.id.uuidString,
            "form": WebhookForm.values(fields, organisations: organisations, selected: WebhookForm.draft(from: fields).models),
            "deliveries": WebhookForm.logRows(log, timeZone: context.tenant.timeZone), "hasDeliveries": !log.isEmpty,
        ]
        values["notice"] = notice
        values["secret"] = secret?.text
        return pages.render("webhook", values, request: request, context: context, status: status)
    }
}
