import Agenda
import Foundation
import Hummingbird
import Identity
import Notifications

/// "Abonnement calendrier" on the account page: the signed-in agent's own secret feed address.
/// The address is shown once, when made: only its hash is kept.
extension AccountRoutes {
    func registerCalendarFeed(on group: RouterGroup<AgentRequestContext>) {
        group.post("/compte/calendrier") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await issue(request, context, includeNames: fields["noms"] == "on")
        }
        group.post("/compte/calendrier/regenerer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            return try await issue(request, context, includeNames: nil)
        }
        group.post("/compte/calendrier/noms") { request, context in
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let on = fields["noms"] == "on"
            let changed = try await feeds(context) { try await $0.setIncludesNames(on) }
            let notice = !changed ? "Vous n’avez pas d’abonnement calendrier." : on
                ? "Les noms des usagers figureront dans votre abonnement calendrier."
                : "Les noms des usagers ne figureront plus dans votre abonnement calendrier."
            return try await accountPage(request, context, values: ["notice": notice])
        }
        group.post("/compte/calendrier/revoquer") { request, context in
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let revoked = try await feeds(context) { try await $0.revoke() }
            let notice = revoked ? "Votre abonnement calendrier est supprimé : son adresse ne fonctionne plus." : "Vous n’avez pas d’abonnement calendrier."
            return try await accountPage(request, context, values: ["notice": notice])
        }
    }

    private func issue(_ request: Request, _ context: AgentRequestContext, includeNames: Bool?) async throws -> Response {
        let (token, regenerated) = try await feeds(context) { try await $0.issue(includeNames: includeNames) }
        let url = "\(services.configuration.publicURL(slug: context.tenant.slug))/calendrier/\(token.value).ics"
        let notice = regenerated
            ? "Nouvelle adresse créée : l’ancienne ne fonctionne plus. Remplacez-la dans votre application de calendrier."
            : "Votre abonnement calendrier est créé."
        return try await accountPage(request, context, values: ["notice": notice, "feedURL": url])
    }

    private func feeds<T: Sendable>(_ context: AgentRequestContext, _ work: @Sendable @escaping (CalendarFeeds) async throws -> T) async throws -> T {
        let agentID = context.agent.id, ip = context.remoteAddress
        return try await context.database.transaction { connection in
            try await work(CalendarFeeds(connection, agentID: agentID, ip: ip))
        }
    }

    /// What the page says of the agent's feed.
    static func calendarFeedValues(_ state: CalendarFeedState?, _ formatter: FrenchDates.Timestamps) -> [String: Any] {
        guard let state else { return [:] }
        return [
            "feed": [
                "created": formatter.string(from: state.createdAt),
                "lastUsed": state.lastUsedAt.map { formatter.string(from: $0) } ?? "jamais",
                "names": state.includesUsagerNames,
            ] as [String: Any],
        ]
    }
}
