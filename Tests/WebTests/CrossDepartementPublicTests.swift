import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

/// B's links (invitation, password reset, account confirmation, booking code, manage link,
/// waiting-list offer and removal, SMS receipts) presented on A's host: each is an unknown
/// or invalid link there, and nothing of B changes; the same links still work on B's host.
@Suite struct CrossDepartementPublicTests {
    /// Routes with a token in their path, given B's tokens; `forged` is a manage link signed as
    /// A signs them but naming B's online appointment.
    static func tokenProbes(mine a: CrossTargets, theirs b: CrossTargets, forged: String) -> [CrossProbe] {
        let password = ["password": "Une-autre-phrase-de-passe-longue", "confirmation": "Une-autre-phrase-de-passe-longue"]
        var probes: [CrossProbe] = [
            .get("/invitation/{token}", "/invitation/\(b.invitationToken)"),
            .post("/invitation/{token}", "/invitation/\(b.invitationToken)", password).csrf(from: "/mot-de-passe-oublie"),
            .get("/reinitialisation/{token}", "/reinitialisation/\(b.passwordResetToken)"),
            .post("/reinitialisation/{token}", "/reinitialisation/\(b.passwordResetToken)", password).csrf(from: "/mot-de-passe-oublie"),
            .get("/mon-compte/confirmation/{token}", "/mon-compte/confirmation/\(b.usagerConfirmationToken)"),
            .get("/mon-compte/reinitialisation/{token}", "/mon-compte/reinitialisation/\(b.usagerResetToken)"),
            .post("/mon-compte/reinitialisation/{token}", "/mon-compte/reinitialisation/\(b.usagerResetToken)", password)
                .csrf(from: "/mon-compte/mot-de-passe-oublie"),
        ]
        let booking: [CrossProbe] = [
            .get("/prendre-rdv/confirmation/{token}", "/prendre-rdv/confirmation/\(b.pendingBookingToken)"),
            .get("/prendre-rdv/confirmation/{token}", "/prendre-rdv/confirmation/\(b.confirmedBookingToken)"),
            .post("/prendre-rdv/confirmation/{token}", "/prendre-rdv/confirmation/\(b.pendingBookingToken)", ["code": "123456"]),
            .post("/prendre-rdv/confirmation/{token}/creneau", "/prendre-rdv/confirmation/\(b.confirmedBookingToken)/creneau", ["debut": b.freeSlot]),
            .get("/prendre-rdv/confirme/{token}", "/prendre-rdv/confirme/\(b.confirmedBookingToken)"),
            .get("/prendre-rdv/confirme/{token}/rendez-vous.ics", "/prendre-rdv/confirme/\(b.confirmedBookingToken)/rendez-vous.ics"),
            .get("/g/{token}", "/g/\(b.manageToken)"),
            .post("/g/{token}", "/g/\(b.manageToken)", ["nom": "Bra", "action": "annuler"]),
            .get("/gerer/{token}", "/gerer/\(b.manageToken)"),
            .post("/gerer/{token}", "/gerer/\(b.manageToken)", ["nom": "Bra", "action": "deplacer", "debut": b.freeSlot]),
            .get("/g/{token}", "/g/\(forged)"),
            .post("/g/{token}", "/g/\(forged)", ["nom": "Bra", "action": "annuler"]),
            .get("/oui/{token}", "/oui/\(b.confirmToken)"),
            .post("/oui/{token}", "/oui/\(b.confirmToken)"),
            .get("/non/{token}", "/non/\(b.declineToken)"),
            .post("/non/{token}", "/non/\(b.declineToken)"),
            // B's manage link does not pass for an answer, even re-signed with A's key.
            .post("/non/{token}", "/non/\(forged)"),
            .post("/non/{token}", "/non/\(b.manageToken)"),
            .get("/liste-attente/offre/{token}", "/liste-attente/offre/\(b.waitingListOfferToken)"),
            .post("/liste-attente/offre/{token}", "/liste-attente/offre/\(b.waitingListOfferToken)"),
            .post("/liste-attente/retrait/{token}", "/liste-attente/retrait/\(b.waitingListRemovalToken)"),
            .post("/liste-attente/retrait/{token}", "/liste-attente/retrait/\(b.waitingListOfferToken)"),
        ]
        // Booking forms are bound to the usager's session when there is one: A's details form has one such.
        probes += booking.map { $0.form == nil ? $0 : $0.csrf(from: a.detailsPath) }
        // B's receipt address, and A's own address with the reference of one of B's SMS.
        probes.append(.postJSON("/notifications/accuses/{token}", "/notifications/accuses/\(b.receiptToken)", #"{"reference":"x","status":"delivered"}"#))
        probes.append(.postJSON("/notifications/accuses/{token}", "/notifications/accuses/\(a.receiptToken)", #"{"reference":"\#(b.providerReference)","status":"failed"}"#))
        probes.append(.get("/calendrier/{token}.ics", "/calendrier/\(b.calendarFeedToken).ics"))
        return probes
    }

    @Test func tokensOfAnotherDepartementAreInvalidLinks() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            try await world.withLiveApp { app in
                let mine = try await a.withSecretsFromPages(try await a.signedIn(a.deptAdmin, app)).targets
                let theirs = try await b.withSecretsFromPages(try await b.signedIn(b.deptAdmin, app)).targets
                let forged = SignedLink(secret: TestWorld.secretKey, scope: a.tenant.schemaName)
                    .token(for: .init(rdvID: theirs.onlineRdvID, expiresAt: Date().addingTimeInterval(30 * 86_400)))
                let before = try await SchemaSnapshot.take(world, b.tenant)
                let visitor = Browser(app: app, host: a.host)
                let usager = try await a.signedInUsager(app)
                for (browser, who) in [(visitor, "a visitor of A"), (usager, "A's usager")] {
                    for probe in Self.tokenProbes(mine: mine, theirs: theirs, forged: forged) {
                        let response = try await browser.send(probe, as: who, showingNothingOf: b, via: app)
                        if probe.route.contains("/invitation/") || probe.route.contains("/reinitialisation/") {
                            #expect(response.text.contains("Lien invalide ou expiré"), "\(who): \(probe)")
                        }
                        if probe.json != nil, probe.path.hasSuffix(theirs.receiptToken) {
                            #expect(!response.text.contains("Aucun message ne porte"), "B's receipt address is no address on A's host")
                        }
                    }
                }
                try await b.expectUnchanged(since: before, world)

                // The links were real: on B's own host they open what they name.
                let owner = Browser(app: app, host: b.host)
                for path in [
                    "/invitation/\(theirs.invitationToken)", "/reinitialisation/\(theirs.passwordResetToken)",
                    "/mon-compte/reinitialisation/\(theirs.usagerResetToken)", "/prendre-rdv/confirmation/\(theirs.pendingBookingToken)",
                    "/prendre-rdv/confirme/\(theirs.confirmedBookingToken)", "/g/\(theirs.manageToken)",
                    "/oui/\(theirs.confirmToken)", "/non/\(theirs.declineToken)",
                    "/liste-attente/offre/\(theirs.waitingListOfferToken)", "/calendrier/\(theirs.calendarFeedToken).ics",
                ] {
                    #expect(try await owner.get(path).status == .ok, "B's \(path) on B's host")
                }
                #expect(try await owner.get("/mon-compte/confirmation/\(theirs.usagerConfirmationToken)").status == .seeOther)
                let receipt = try await app.post(
                    "/notifications/accuses/\(theirs.receiptToken)", host: b.host, body: #"{"reference":"\#(theirs.providerReference)","status":"delivered"}"#
                )
                #expect(receipt.status == .noContent, "on B's host, B's address takes the receipt of B's SMS")
            }
        }
    }
}
