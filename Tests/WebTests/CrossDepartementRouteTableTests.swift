import Foundation
import Testing
import TestSupport
import Web

/// Which test aims each route of a département's host at another département's data.
enum CrossCase: String, CaseIterable, Sendable {
    /// An id in the path: B's ids on A's host are not found.
    case ids = "CrossDepartementAgentTests/idsOfAnotherDepartementAreNotFound"
    /// No id in the path, ids in the form or query: B's are refused or ignored.
    case fields = "CrossDepartementAgentTests/formsAndQueriesNamingAnotherDepartementsIdsTakeNoneOfThem"
    /// A token in the path: B's tokens are invalid links on A's host.
    case tokens = "CrossDepartementPublicTests/tokensOfAnotherDepartementAreInvalidLinks"
    /// Nothing to aim at: A's page shows none of B's data.
    case pages = "CrossDepartementSessionTests/pagesOfADepartementShowNoneOfAnothersData"
    /// Nothing to aim at, something to change: B's cookies and credentials do nothing on A's host.
    case sessions = "CrossDepartementSessionTests/sessionsOfAnotherDepartementAreNotSignedIn"
    /// The API: B's token is worthless on A's host, and A's token finds none of B's ids.
    case api = "CrossDepartementAPITests/theAPIOfADepartementKnowsNothingOfAnother"

    /// The requests the case's test sends, with placeholder ids: enough to know their routes.
    var probedRoutes: Set<String> {
        let a = CrossTargets.placeholder, b = CrossTargets.placeholder
        let probes: [CrossProbe] = switch self {
        case .ids: CrossDepartementAgentTests.idProbes(mine: a, theirs: b).map(\.probe)
        case .fields:
            CrossDepartementAgentTests.fieldProbes(mine: a, theirs: b).map(\.probe) + CrossDepartementAgentTests.publicFieldProbes(mine: a, theirs: b)
        case .tokens: CrossDepartementPublicTests.tokenProbes(mine: a, theirs: b, forged: "forged")
        case .pages:
            [CrossDepartementSessionTests.pageProbes(mine: a)].flatMap { $0.agent + $0.usager + $0.visitor }
        case .sessions: CrossDepartementSessionTests.sessionProbes(theirs: b)
        case .api: CrossDepartementAPITests.probes(mine: a, theirs: b).map(\.probe)
        }
        return Set(probes.map(\.route))
    }
}

@Suite struct CrossDepartementRouteTableTests {
    /// Every route of a département's host, and the case that covers it from another département's side.
    static let table: [String: CrossCase] = [
        // Platform and public pages.
        "GET /healthz": .pages,
        "GET /static/app.css": .pages,
        "GET /static/address.js": .pages,
        "GET /": .pages,
        "GET /adresse/communes": .pages,
        "GET /adresse/voies": .fields,
        "GET /dev/courriels": .pages,

        // Agents' sign-in, password, second factor, account.
        "GET /connexion": .pages,
        "POST /connexion": .sessions,
        "POST /deconnexion": .sessions,
        "GET /connexion/verification": .pages,
        "POST /connexion/verification": .sessions,
        "GET /double-authentification": .pages,
        "POST /double-authentification/activation": .sessions,
        "POST /double-authentification/desactivation": .sessions,
        "GET /invitation/{token}": .tokens,
        "POST /invitation/{token}": .tokens,
        "GET /reinitialisation/{token}": .tokens,
        "POST /reinitialisation/{token}": .tokens,
        "GET /mot-de-passe-oublie": .pages,
        "POST /mot-de-passe-oublie": .sessions,
        "GET /compte": .pages,
        "POST /compte/mot-de-passe": .sessions,
        "POST /compte/sessions/{handle}/fermer": .ids,
        "POST /compte/avis": .sessions,
        "POST /compte/deconnexion-partout": .sessions,

        // Agent space.
        "GET /agent": .pages,
        "GET /agents": .pages,
        "POST /agents/invitations": .fields,
        "POST /agents/{id}/role": .ids,
        "GET /journal": .pages,

        // Agenda, plages d'ouverture, absences.
        "GET /agenda": .fields,
        "GET /agenda/a-renseigner": .pages,
        "GET /creneaux": .fields,
        "GET /agenda/plages/nouvelle": .pages,
        "POST /agenda/plages": .fields,
        "GET /agenda/plages/{id}": .ids,
        "POST /agenda/plages/{id}": .ids,
        "POST /agenda/plages/{id}/fin": .ids,
        "GET /agenda/plages/{id}/occurrences/{day}": .ids,
        "POST /agenda/plages/{id}/occurrences/{day}": .ids,
        "POST /agenda/plages/{id}/occurrences/{day}/annuler": .ids,
        "GET /agenda/absences/nouvelle": .pages,
        "POST /agenda/absences": .sessions,
        "GET /agenda/absences/{id}": .ids,
        "POST /agenda/absences/{id}": .ids,
        "POST /agenda/absences/{id}/supprimer": .ids,

        // Appointments.
        "GET /rdv/nouveau": .fields,
        "POST /rdv": .fields,
        "GET /agenda/lieux/{id}/jour": .ids,
        "POST /agenda/lieux/{id}/jour/{rdv}": .ids,
        "POST /rdv/{id}/liste-attente": .ids,
        "GET /rdv": .pages,
        "POST /rdv/renseigner": .fields,
        "POST /usagers/{id}/fusion": .ids,
        "GET /rdv/{id}": .ids,
        "POST /rdv/{id}/participants": .ids,
        "POST /rdv/{id}/statut": .ids,
        "POST /rdv/{id}/notes": .ids,
        "POST /rdv/{id}/deplacer": .ids,
        "POST /rdv/{id}/agents": .ids,

        // Usagers' records.
        "GET /usagers": .pages,
        "GET /usagers/import": .pages,
        "GET /usagers/import/modele.csv": .pages,
        "POST /usagers/import": .fields,
        "POST /usagers/import/{id}/annuler": .ids,
        "GET /usagers/{id}": .ids,
        "POST /usagers/{id}": .ids,
        "POST /usagers/{id}/proches": .ids,
        "POST /usagers/{id}/referents": .ids,

        // Organisation set-up and catalogue.
        "GET /organisation": .fields,
        "POST /organisation/lieux": .fields,
        "POST /organisation/motifs": .fields,
        "POST /organisation/nouvelle": .sessions,
        "POST /organisation/agents-services": .fields,
        "POST /organisation/services": .sessions,
        "GET /organisation/motifs/{id}": .ids,
        "POST /organisation/motifs/{id}": .ids,
        "POST /organisation/motifs/{id}/archive": .ids,
        "GET /organisation/lieux/{id}": .ids,
        "POST /organisation/lieux/{id}": .ids,

        // Notifications.
        "GET /notifications": .pages,
        "POST /notifications/reglages": .sessions,
        "POST /notifications/{id}/reessayer": .ids,
        "POST /notifications/accuses/{token}": .tokens,

        // Webhooks.
        "GET /webhooks": .pages,
        "POST /webhooks": .fields,
        "GET /webhooks/{id}": .ids,
        "POST /webhooks/{id}": .ids,
        "POST /webhooks/{id}/secret": .ids,
        "POST /webhooks/{id}/supprimer": .ids,
        "POST /webhooks/{id}/tout-renvoyer": .ids,
        "POST /webhooks/{id}/envois/{delivery}/rejouer": .ids,

        // Sectorisation.
        "GET /secteurs": .pages,
        "POST /secteurs": .sessions,
        "POST /secteurs/attributions": .fields,
        "POST /secteurs/attributions/retirer": .fields,
        "GET /secteurs/zones.csv": .pages,
        "POST /secteurs/import": .sessions,
        "GET /secteurs/tester": .fields,
        "GET /secteurs/{id}": .ids,
        "POST /secteurs/{id}/zones": .ids,
        "POST /secteurs/{id}/zones/retirer": .ids,
        "POST /secteurs/{id}/supprimer": .ids,

        // Online booking, manage links, waiting list.
        "GET /prendre-rdv": .fields,
        "GET /prendre-rdv/coordonnees": .fields,
        "POST /prendre-rdv": .fields,
        "GET /prendre-rdv/confirmation/{token}": .tokens,
        "POST /prendre-rdv/confirmation/{token}": .tokens,
        "POST /prendre-rdv/confirmation/{token}/creneau": .tokens,
        "GET /prendre-rdv/confirme/{token}": .tokens,
        "GET /prendre-rdv/confirme/{token}/rendez-vous.ics": .tokens,
        "GET /g/{token}": .tokens,
        "POST /g/{token}": .tokens,
        "GET /gerer/{token}": .tokens,
        "POST /gerer/{token}": .tokens,
        "GET /oui/{token}": .tokens,
        "POST /oui/{token}": .tokens,
        "GET /non/{token}": .tokens,
        "POST /non/{token}": .tokens,
        "POST /liste-attente": .fields,
        "GET /liste-attente/offre/{token}": .tokens,
        "POST /liste-attente/offre/{token}": .tokens,
        "POST /liste-attente/retrait/{token}": .tokens,

        // Usagers' accounts and space.
        "GET /mon-compte/connexion": .pages,
        "POST /mon-compte/connexion": .sessions,
        "GET /mon-compte/inscription": .pages,
        "POST /mon-compte/inscription": .sessions,
        "GET /mon-compte/confirmation/{token}": .tokens,
        "GET /mon-compte/mot-de-passe-oublie": .pages,
        "POST /mon-compte/mot-de-passe-oublie": .sessions,
        "GET /mon-compte/reinitialisation/{token}": .tokens,
        "POST /mon-compte/reinitialisation/{token}": .tokens,
        "POST /mon-compte/deconnexion": .sessions,
        "GET /mon-compte": .pages,
        "POST /mon-compte/coordonnees": .sessions,
        "POST /mon-compte/proches": .sessions,
        "GET /mon-compte/donnees.json": .pages,
        "GET /mon-compte/donnees": .pages,
        "POST /mon-compte/suppression": .sessions,

        // API tokens, the API's contract and the API itself.
        "GET /compte/jetons": .pages,
        "POST /compte/jetons": .sessions,
        "POST /compte/jetons/{id}/revoquer": .ids,
        "GET /jetons-api": .pages,
        "GET /exports": .pages,
        "GET /donnees-personnelles": .pages,
        "POST /donnees-personnelles": .sessions,
        "GET /usagers/{id}/acces": .ids,
        "GET /usagers/{id}/acces.csv": .ids,
        "GET /confidentialite": .pages,
        "POST /exports": .fields,
        "GET /api/v1/openapi.json": .pages,
        "GET /api/v1/openapi.yaml": .pages,
        "GET /api/v1/docs": .pages,
        "GET /api/v1/me": .api,
        "GET /api/v1/exports/rdvs": .api,
        "GET /api/v1/exports/usagers": .api,
        "GET /api/v1/organisations": .api,
        "GET /api/v1/motifs": .api,
        "GET /api/v1/lieux": .api,
        "GET /api/v1/agents": .api,
        "GET /api/v1/usagers": .api,
        "POST /api/v1/usagers": .api,
        "GET /api/v1/usagers/{id}": .api,
        "GET /api/v1/rdvs": .api,
        "POST /api/v1/rdvs": .api,
        "GET /api/v1/rdvs/{id}": .api,
        "PATCH /api/v1/rdvs/{id}": .api,
        "POST /api/v1/rdvs/{id}/move": .api,
        "POST /api/v1/rdvs/{id}/cancel": .api,
        "PUT /api/v1/rdvs/{id}/status": .api,
        "GET /api/v1/slots": .api,
        "POST /api/v1/holds": .api,
        "GET /api/v1/holds/{id}": .api,
        "DELETE /api/v1/holds/{id}": .api,
        "GET /api/v1/services": .api,
        "GET /api/v1/plages": .api,
        "GET /api/v1/plages/{id}": .api,
        "GET /api/v1/absences": .api,
        "POST /api/v1/absences": .api,
        "DELETE /api/v1/absences/{id}": .api,
        "POST /api/v1/rdvs/{id}/participants": .api,
        "PUT /api/v1/rdvs/{id}/participants/{usager}/status": .api,
        "POST /api/v1/plages": .api,
        "PATCH /api/v1/plages/{id}": .api,
        "DELETE /api/v1/plages/{id}": .api,
        "PATCH /api/v1/usagers/{id}": .api,
        "GET /api/v1/webhook_endpoints": .api,
        "POST /api/v1/webhook_endpoints": .api,
        "GET /api/v1/webhook_endpoints/{id}": .api,
        "PATCH /api/v1/webhook_endpoints/{id}": .api,
        "DELETE /api/v1/webhook_endpoints/{id}": .api,
        "POST /api/v1/webhook_endpoints/{id}/rotate_secret": .api,
        "GET /api/v1/webhook_endpoints/{id}/deliveries": .api,
        "POST /api/v1/webhook_endpoints/{id}/deliveries/{delivery_id}/replay": .api,
        "POST /api/v1/webhook_endpoints/{id}/resend_all": .api,
        // Agents' calendar feeds.
        "GET /calendrier/{token}.ics": .tokens,
        "POST /compte/calendrier": .sessions,
        "POST /compte/calendrier/regenerer": .sessions,
        "POST /compte/calendrier/noms": .sessions,
        "POST /compte/calendrier/revoquer": .sessions,
    ]

    @Test func everyRouteHasACrossDepartementCase() async throws {
        try await TestWorld.run { world in
            let routes = Set(try await tenantRouteList(
                configuration: AppConfiguration(environment: .development, secretKey: TestWorld.secretKey), database: world.database
            ))
            let missing = routes.subtracting(Self.table.keys).sorted()
            let gone = Set(Self.table.keys).subtracting(routes).sorted()
            #expect(missing.isEmpty, "routes with no cross-département case: \(missing)")
            #expect(gone.isEmpty, "the table names routes that no longer exist: \(gone)")
            // A case named for a route really sends a request to it.
            for crossCase in CrossCase.allCases {
                let probed = crossCase.probedRoutes
                let unprobed = Self.table.filter { $0.value == crossCase && !probed.contains($0.key) }.keys.sorted()
                #expect(unprobed.isEmpty, "\(crossCase.rawValue) does not request \(unprobed)")
                #expect(probed.subtracting(routes).isEmpty, "\(crossCase.rawValue) requests unknown routes \(probed.subtracting(routes).sorted())")
            }
        }
    }
}
