import Agenda
import Booking
import Foundation
import Identity
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A département open to online booking: one organisation, one agent receiving on Monday
/// mornings at one lieu, one motif anyone may book online.
struct OnlineSetup: Sendable {
    let tenant: Tenant
    let organisation: Organisation
    let agent: Agent
    let lieuID: UUID
    let motifID: UUID
    let monday: LocalDate
    let clock: WallClock

    var host: String { "\(tenant.slug).rdv.test" }

    static func make(
        _ world: TestWorld, name: String = "Pas-de-Calais", weeksAhead: Int = 0, rules: @escaping @Sendable (inout MotifRules) -> Void = { _ in }
    ) async throws -> OnlineSetup {
        let tenant = try await world.makeTenant(name: name)
        let organisation = try await world.makeOrganisation(in: tenant)
        let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation)
        let clock = try #require(WallClock(timeZone: tenant.timeZone))
        let today = clock.localDate(of: Date())
        let monday = today.adding(days: 8 - today.weekday.rawValue + 7 * weeksAhead)
        let (lieu, motif) = try await world.database.tenant(tenant).transaction { connection in
            let catalog = AgendaCatalog(connection)
            let service = try await catalog.ensureService(named: "PMI")
            let lieu = try await catalog.ensureLieu(organisationID: organisation.id, name: "Centre d’Arras", address: "1 rue de la Paix, Arras")
            var motifRules = MotifRules(name: "Consultation", serviceID: service, durationMinutes: 30)
            motifRules.bookableBy = .everyone
            motifRules.minimumDelayMinutes = 0
            motifRules.instructionsAfter = "Apportez le carnet de santé."
            rules(&motifRules)
            let motif = try #require(try await MotifRepository(connection).create(organisationID: organisation.id, motifRules))
            try await PlageRepository(connection).create(
                agentID: agent.id, lieuID: lieu,
                span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("10:00")!, recurrence: .weekly(interval: 1, on: [.monday], until: nil)),
                motifIDs: [motif]
            )
            return (lieu, motif)
        }
        return OnlineSetup(tenant: tenant, organisation: organisation, agent: agent, lieuID: lieu, motifID: motif, monday: monday, clock: clock)
    }

    /// The path of the details form for the slot at `time` next Monday.
    func detailsPath(at time: String, extra: String = "") -> String {
        let start = clock.instant(monday, LocalTime(time)!)
        return "/prendre-rdv/coordonnees?motif=\(motifID)&lieu=\(lieuID)&debut=\(Int(start.timeIntervalSince1970))\(extra)"
    }

    func fields(at time: String, email: String = "lea.martin@exemple.fr", extra: [String: String] = [:]) -> [String: String] {
        let start = clock.instant(monday, LocalTime(time)!)
        return [
            "motif": motifID.uuidString, "lieu": lieuID.uuidString, "debut": String(Int(start.timeIntervalSince1970)),
            "pour": "moi", "prenom": "Léa", "nom": "Martin", "telephone": "06 12 34 56 78", "email": email,
        ].merging(extra) { $1 }
    }
}

extension OnlineSetup {
    /// Books the slot at `time` next Monday from `browser`, confirms it with the emailed code,
    /// and returns the path of the manage link the confirmation email carries.
    func bookAndOpenManageLink(at time: String, from browser: Browser, world: TestWorld) async throws -> String {
        try await browser.get(detailsPath(at: time))
        let request = try #require(try await browser.post("/prendre-rdv", fields(at: time)).headers[.location])
        #expect(try await confirm(browser, request: request, world: world, tenant: tenant, recipient: "lea.martin@exemple.fr").status == .seeOther)
        let mail = try #require(try await world.outbox(of: tenant).first { $0.subject.hasPrefix("Rendez-vous confirmé") })
        return String(try #require(mail.body.path(of: "http")).components(separatedBy: ".rdv.test").last!.drop(while: { $0 != "/" }))
    }
}

extension String {
    /// The `href` values of a page that start with `prefix`, HTML entities of queries decoded.
    func links(startingWith prefix: String) -> [String] {
        components(separatedBy: "href=\"").dropFirst().map { String($0.prefix(while: { $0 != "\"" })).replacingOccurrences(of: "&amp;", with: "&") }
            .filter { $0.hasPrefix(prefix) }
    }

    /// The six-digit code of a confirmation email.
    var confirmationCode: String? {
        range(of: #"\d{6}"#, options: .regularExpression).map { String(self[$0]) }
    }

    /// The path of the first link to `marker` in a text (an email body), without scheme and host.
    func path(of marker: String) -> String? {
        guard let range = range(of: marker) else { return nil }
        let rest = self[range.lowerBound...]
        return String(rest.prefix(while: { !$0.isWhitespace }))
    }
}
