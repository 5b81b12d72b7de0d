import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Notifications
import PostgresNIO
import Scheduling
import Testing
import TestSupport
@testable import Tenancy
import Webhooks

/// What a request can aim at in one département: the ids of its rows and the secrets of its
/// links, as they exist there.
struct CrossTargets: Sendable {
    var organisationID = UUID()
    var agentID = UUID()
    var adminID = UUID()
    var serviceID = UUID()
    var lieuID = UUID()
    var motifID = UUID()
    var plageID = UUID()
    /// A day on which the plage falls (a Monday, one to two weeks ahead).
    var occurrenceDay = LocalDate(iso: "2030-01-07")!
    var absenceID = UUID()
    var usagerID = UUID()
    var relativeID = UUID()
    var rdvID = UUID()
    var collectiveRdvID = UUID()
    /// Booked online, by the usager account.
    var onlineRdvID = UUID()
    var sectorID = UUID()
    var zoneID = UUID()
    var attributionID = UUID()
    var communeCode = "62041"
    var messageID = UUID()
    var importID = UUID()
    /// The SMS provider's reference of a sent message, which delivery receipts name.
    var providerReference = "reference"
    /// `debut` of a slot of the plage that is still free.
    var freeSlot = "1893456000"
    var agentEmail = "agent@exemple.fr"
    var usagerEmail = "usager@exemple.fr"
    var sessionHandle = "handle"
    var invitationToken = "invitation"
    var passwordResetToken = "reset"
    var usagerConfirmationToken = "confirmation"
    var usagerResetToken = "usager-reset"
    var pendingBookingToken = "pending"
    var confirmedBookingToken = "confirmed"
    var manageToken = "manage"
    /// The "Je confirme" and "Je ne pourrai pas venir" tokens of the same appointment.
    var confirmToken = "oui"
    var declineToken = "non"
    var waitingListRemovalToken = "removal"
    var waitingListOfferToken = "offer"
    var receiptToken = "receipts"
    var webhookEndpointID = UUID()
    /// A queued delivery of that endpoint.
    var webhookDeliveryID = UUID()
    /// The chief's API token (read and write), its secret, and a slot it holds.
    var apiTokenID = UUID()
    var apiToken = "rdv_placeholder"
    var holdID = UUID()
    var calendarFeedToken = "feed"

    /// Ids and tokens that exist nowhere, for checking the probes' routes without a database.
    static let placeholder = CrossTargets()

    /// The online booking form for the free slot: a page whose form is bound as booking forms are.
    var detailsPath: String { "/prendre-rdv/coordonnees?motif=\(motifID)&lieu=\(lieuID)&debut=\(freeSlot)" }
}

/// One département with a bit of everything: agents of each role, service, lieu, motifs, a
/// weekly plage, an absence, a usager with a relative and a referent, an appointment and a
/// collective session with participants, a sector with a zone, a dead message, a usager
/// account, booking requests, a waiting-list entry with an offer, and the tokens of their links.
/// Every name carries `mark`, so that another département's page can be searched for it.
struct CrossDepartement: Sendable {
    let tenant: Tenant
    let mark: String
    let deptAdmin: Agent
    let deptAdminTOTP: TOTP
    let admin: Agent
    let adminTOTP: TOTP
    let secretariat: Agent
    let agent: Agent
    let clock: WallClock
    var targets: CrossTargets

    var host: String { "\(tenant.slug).rdv.test" }

    static func make(_ world: TestWorld, mark: String) async throws -> CrossDepartement {
        let tenant = try await world.makeTenant(name: "Département \(mark)")
        let organisation = try await world.makeOrganisation(in: tenant, name: "Organisation \(mark)")
        func email(_ role: String) -> String { "\(role)-\(mark.lowercased())-\(TestWorld.randomLabel(length: 4))@exemple.fr" }
        let deptAdmin = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil, email: email("chef"))
        let admin = try await world.makeAgent(in: tenant, role: .admin, organisation: organisation, email: email("admin"))
        let secretariat = try await world.makeAgent(in: tenant, role: .secretariat, organisation: organisation, email: email("secretariat"))
        let agent = try await world.makeAgent(in: tenant, role: .agent, organisation: organisation, email: email("agent"))
        let clock = tenant.clock
        let today = clock.localDate(of: Date())
        // A Monday eight to fourteen days ahead: bookable online, never today.
        let monday = today.adding(days: 8 - today.weekday.rawValue + 7)
        var targets = CrossTargets()
        targets.organisationID = organisation.id
        targets.agentID = agent.id
        targets.adminID = admin.id
        targets.occurrenceDay = monday
        targets.agentEmail = agent.email
        targets.freeSlot = String(Int(clock.instant(monday, LocalTime("11:30")!).timeIntervalSince1970))
        let department = CrossDepartement(
            tenant: tenant, mark: mark, deptAdmin: deptAdmin, deptAdminTOTP: try await world.enrolSecondFactor(deptAdmin, in: tenant),
            admin: admin, adminTOTP: try await world.enrolSecondFactor(admin, in: tenant), secretariat: secretariat, agent: agent,
            clock: clock, targets: targets
        )
        return try await department.withAgenda(world, organisation: organisation).withAccounts(world).withBookings(world).withWebhook(world)
            .withAPIToken(world).withCalendarFeed(world)
    }

    private func at(_ day: LocalDate, _ time: String) -> Date { clock.instant(day, LocalTime(time)!) }

    /// Catalogue, plage, absence, usagers, appointments, sector, message.
    private func withAgenda(_ world: TestWorld, organisation: Organisation) async throws -> CrossDepartement {
        var copy = self
        let (tenant, mark, agent, monday) = (tenant, mark, agent, targets.occurrenceDay)
        let nine = at(monday, "09:00"), tuesday = at(monday.adding(days: 1), "14:00")
        copy.targets = try await world.database.tenant(tenant).transaction { [targets] connection in
            var targets = targets
            let catalog = AgendaCatalog(connection)
            targets.serviceID = try await catalog.ensureService(named: "Service \(mark)")
            try await catalog.addAgent(agent.id, toService: targets.serviceID)
            targets.lieuID = try await catalog.ensureLieu(organisationID: organisation.id, name: "Lieu \(mark)", address: "1 rue \(mark)")
            var rules = MotifRules(name: "Consultation \(mark)", serviceID: targets.serviceID, durationMinutes: 30)
            rules.bookableBy = .everyone
            rules.minimumDelayMinutes = 0
            let motifs = MotifRepository(connection)
            targets.motifID = try #require(try await motifs.create(organisationID: organisation.id, rules))
            var collective = MotifRules(name: "Atelier \(mark)", serviceID: targets.serviceID, durationMinutes: 90)
            collective.collectiveCapacity = 3
            let collectiveMotif = try #require(try await motifs.create(organisationID: organisation.id, collective))
            targets.plageID = try await PlageRepository(connection).create(
                agentID: agent.id, lieuID: targets.lieuID,
                span: RecurringSpan(firstDay: monday, start: LocalTime("09:00")!, end: LocalTime("12:00")!, recurrence: .weekly(interval: 1, on: [.monday], until: nil)),
                motifIDs: [targets.motifID]
            )
            targets.absenceID = try await AbsenceRepository(connection).create(
                agentID: agent.id, title: "Congé \(mark)",
                span: RecurringSpan(firstDay: monday.adding(days: 4), start: LocalTime("14:00")!, end: LocalTime("16:00")!, recurrence: .once)
            )
            let usagers = UsagerRepository(connection)
            targets.usagerID = try await usagers.create(firstName: "Usager", lastName: mark, phone: "+33612345678", email: "usager-\(mark.lowercased())@exemple.fr")
            targets.relativeID = try await usagers.create(
                firstName: "Proche", lastName: mark, phone: nil, email: nil, birthDate: LocalDate(iso: "2020-03-12"), responsibleID: targets.usagerID
            )
            try await usagers.addReferent(agent.id, to: targets.usagerID)
            // An import of the day that created the relative: undoable, from this département only.
            try await connection.query(
                "INSERT INTO usager_imports (id, agent_id, created_count, completed_count, skipped_count) VALUES (\(targets.importID), \(agent.id), 1, 0, 0)"
            )
            try await connection.query("INSERT INTO usager_import_records (import_id, usager_id) VALUES (\(targets.importID), \(targets.relativeID))")
            let rdvs = RdvRepository(connection)
            targets.rdvID = try await rdvs.book(NewRdv(
                motifID: targets.motifID, lieuID: targets.lieuID, start: nine, end: nine.addingTimeInterval(1800),
                agentIDs: [agent.id], usagerIDs: [targets.usagerID], createdByAgentID: agent.id
            ))
            targets.collectiveRdvID = try await rdvs.book(NewRdv(
                motifID: collectiveMotif, lieuID: targets.lieuID, start: tuesday, end: tuesday.addingTimeInterval(5400),
                agentIDs: [agent.id], usagerIDs: [], capacity: 3
            ))
            for index in 1...2 {
                let participant = try await usagers.create(firstName: "Participant\(index)", lastName: mark, phone: nil, email: nil)
                try await rdvs.join(targets.collectiveRdvID, usagerID: participant, byAgent: agent.id)
            }
            let sectors = SectorRepository(connection)
            targets.sectorID = try await sectors.ensure(named: "Secteur \(mark)").id
            // A commune code of the département's own (its code, then zeros): no other département has it.
            targets.communeCode = String("\(tenant.code.value)000".prefix(5))
            guard case .added(let zone) = try await sectors.addZone(
                to: targets.sectorID, communeCode: targets.communeCode, communeName: "\(mark)ville", streetName: nil
            ) else { throw TestWorldError.database("zone not added") }
            targets.zoneID = zone
            #expect(try await sectors.attribute(sectorID: targets.sectorID, organisationID: organisation.id) == .added)
            targets.attributionID = try #require(try await sectors.attributions(of: targets.sectorID).first).id
            targets.messageID = try #require(try await connection.query(
                """
                INSERT INTO messages (channel, kind, recipient, body, state, last_error)
                VALUES ('email', 'reminder', \("rappel-\(mark.lowercased())@exemple.fr"), \("Rappel \(mark)"), 'dead', \("Refus \(mark)"))
                RETURNING id
                """
            ).decode(UUID.self).first(where: { _ in true }))
            targets.providerReference = "ref-\(mark.lowercased())"
            try await connection.query(
                """
                INSERT INTO messages (channel, kind, recipient, body, state, sent_at, segments, provider_reference)
                VALUES ('sms', 'reminder', '+33612345678', \("Rappel SMS \(mark)"), 'sent', now(), 1, \(targets.providerReference))
                """
            )
            return targets
        }
        return copy
    }

    /// An invited agent, reset tokens, a confirmed usager account with its tokens.
    private func withAccounts(_ world: TestWorld) async throws -> CrossDepartement {
        var copy = self
        let mark = mark, agentID = agent.id, organisationID = targets.organisationID
        let usagerEmail = "compte-\(mark.lowercased())@exemple.fr"
        let hash = try await PasswordHasher().hash(TestWorld.agentPassword)
        copy.targets = try await world.database.tenant(tenant).transaction { [targets] connection in
            var targets = targets
            let invited = try #require(try await AgentRepository(connection).create(
                email: "invite-\(mark.lowercased())@exemple.fr", firstName: "Invité", lastName: mark, role: .agent, organisationID: organisationID
            ))
            let tokens = OneTimeTokens(connection)
            targets.invitationToken = try await tokens.issue(.invitation, for: invited.id).value
            targets.passwordResetToken = try await tokens.issue(.passwordReset, for: agentID).value
            let accounts = UsagerAccountRepository(connection)
            let account = try #require(try await accounts.create(email: usagerEmail, firstName: "Compte", lastName: mark, passwordHash: hash))
            try await accounts.confirm(id: account.id)
            let usagerTokens = OneTimeTokens(connection, realm: .usagers)
            targets.usagerConfirmationToken = try await usagerTokens.issue(.emailConfirmation, for: account.id).value
            targets.usagerResetToken = try await usagerTokens.issue(.passwordReset, for: account.id).value
            targets.usagerEmail = usagerEmail
            return targets
        }
        return copy
    }

    /// A booking request confirmed into an appointment (with its manage link), one waiting for
    /// its code, and a waiting-list entry that got an offer for a freed slot.
    private func withBookings(_ world: TestWorld) async throws -> CrossDepartement {
        var copy = self
        let (tenant, mark, monday) = (tenant, mark, targets.occurrenceDay)
        let ten = at(monday, "10:00"), halfPastTen = at(monday, "10:30"), eleven = at(monday, "11:00")
        let publicURL = "http://\(host)"
        copy.targets = try await world.database.tenant(tenant).transaction { [targets] connection in
            var targets = targets
            let account = try #require(try await UsagerAccountRepository(connection).find(email: targets.usagerEmail))
            let details = BookingDetails(firstName: "Compte", lastName: mark, phone: nil, email: targets.usagerEmail)
            let requests = BookingRequestRepository(connection)
            let confirmed = try await requests.create(
                motifID: targets.motifID, lieuID: targets.lieuID, start: ten, details: details, address: nil, accountID: account.id, channel: "email"
            )
            let request = try #require(try await requests.find(token: confirmed.token))
            #expect(try await requests.check(token: confirmed.token, code: confirmed.code, request: request))
            let online = try await OnlineBooking(connection, tenant: tenant).book(
                motifID: targets.motifID, lieuID: targets.lieuID, start: ten, details: details, address: nil, accountID: account.id
            )
            try await requests.attach(request.id, rdvID: online, start: ten)
            targets.onlineRdvID = online
            targets.confirmedBookingToken = confirmed.token
            let booked = try #require(try await PublicRdvRepository(connection).find(online))
            targets.manageToken = SignedLink(secret: TestWorld.secretKey, scope: tenant.schemaName)
                .token(for: .init(rdvID: online, expiresAt: booked.end.addingTimeInterval(86_400)))
            targets.confirmToken = NoticeLinks.answer(.confirm, secret: TestWorld.secretKey, scope: tenant.schemaName)
                .token(for: .init(rdvID: online, expiresAt: booked.start))
            targets.declineToken = NoticeLinks.answer(.decline, secret: TestWorld.secretKey, scope: tenant.schemaName)
                .token(for: .init(rdvID: online, expiresAt: booked.start))
            targets.pendingBookingToken = try await requests.create(
                motifID: targets.motifID, lieuID: targets.lieuID, start: halfPastTen,
                details: BookingDetails(firstName: "Demande", lastName: mark, phone: nil, email: "demande-\(mark.lowercased())@exemple.fr"),
                address: nil, accountID: nil, channel: "email"
            ).token

            let waitingList = WaitingList(connection, tenant: tenant)
            targets.waitingListRemovalToken = try await waitingList.add(
                motifID: targets.motifID, lieuID: nil, laterRDV: nil,
                details: BookingDetails(firstName: "Attente", lastName: mark, phone: nil, email: "attente-\(mark.lowercased())@exemple.fr"), address: nil
            )
            #expect(try await waitingList.slotFreed(motifID: targets.motifID, lieuID: targets.lieuID, start: eleven, publicURL: publicURL) == 1)
            let offer = try #require(try await MessageLog(connection).recent().compactMap { $0.body.path(of: "/liste-attente/offre/") }.first)
            targets.waitingListOfferToken = String(offer.dropFirst("/liste-attente/offre/".count))
            return targets
        }
        return copy
    }
}

extension CrossDepartement {
    /// A webhook endpoint of the organisation (its description carries the mark) with one
    /// delivery queued by a resync.
    fileprivate func withWebhook(_ world: TestWorld) async throws -> CrossDepartement {
        var copy = self
        let (mark, actor, organisationID) = (mark, deptAdmin.actor, targets.organisationID)
        copy.targets = try await world.database.tenant(tenant).transaction { [targets] connection in
            var targets = targets
            let webhooks = WebhookEndpoints(
                connection, actor: actor, platformSecret: TestWorld.secretKey,
                policy: WebhookTargetPolicy(requiresHTTPS: false, allowedKinds: [.loopback])
            )
            let (endpoint, _) = try await webhooks.create(WebhookEndpointDraft(
                organisationID: organisationID, url: "http://127.0.0.1:9/\(mark.lowercased())", description: "Webhook \(mark)", models: [.lieu]
            ))
            #expect(try await webhooks.resendAll(endpoint.id) >= 1)
            targets.webhookEndpointID = endpoint.id
            targets.webhookDeliveryID = try #require(try await webhooks.deliveries(of: endpoint.id).first).id
            return targets
        }
        return copy
    }
}

extension CrossDepartement {
    /// The chief's API token, and a hold of Monday 10:30 (the fixture's free slot, 11:30, stays free).
    fileprivate func withAPIToken(_ world: TestWorld) async throws -> CrossDepartement {
        var copy = self
        let (tenant, chief, monday, clock) = (tenant, deptAdmin, targets.occurrenceDay, clock)
        copy.targets = try await world.database.tenant(tenant).transaction { [targets] connection in
            var targets = targets
            let (token, secret) = try await APITokenRepository(connection).create(agentID: chief.id, name: "Logiciel \(mark)", scopes: [.read, .write], days: 30)
            targets.apiTokenID = token.id
            targets.apiToken = secret
            let appointments = AgentAppointments(
                connection, tenant: tenant, links: NoticeLinks(secret: TestWorld.secretKey, publicURL: "http://\(tenant.slug).rdv.test", scope: tenant.schemaName),
                agent: chief
            )
            targets.holdID = try await appointments.hold(
                motifID: targets.motifID, lieuID: targets.lieuID, agentID: targets.agentID, start: clock.instant(monday, LocalTime("10:30")!), tokenID: token.id
            ).id
            return targets
        }
        return copy
    }
}

extension CrossDepartement {
    /// A browser signed in on this département's host as `agent` (the second factor answered
    /// for the roles that need it), its CSRF token read from the home page.
    func signedIn(_ agent: Agent, _ app: LiveApp) async throws -> Browser {
        let browser = Browser(app: app, host: host)
        let totp = agent.id == deptAdmin.id ? deptAdminTOTP : agent.id == admin.id ? adminTOTP : nil
        #expect(try await browser.signIn(agent.email, totp: totp) == 303, "sign-in of \(agent.role.rawValue)")
        #expect(try await browser.get("/agent").status == .ok)
        return browser
    }

    /// A browser signed in to this département's usager space with the fixture's account.
    func signedInUsager(_ app: LiveApp) async throws -> Browser {
        let browser = Browser(app: app, host: host)
        try await browser.get("/mon-compte/connexion")
        let response = try await browser.post("/mon-compte/connexion", ["email": targets.usagerEmail, "password": TestWorld.agentPassword])
        #expect(response.headers[.location] == "/mon-compte", "usager sign-in")
        #expect(try await browser.get("/mon-compte").status == .ok)
        return browser
    }

    /// Reads what an administrator's page shows that the fixture cannot know in advance: the
    /// secret address of SMS receipts, and the handle of a live session.
    func withSecretsFromPages(_ chief: Browser) async throws -> CrossDepartement {
        var copy = self
        let page = try await chief.get("/notifications").text
        let address = try #require(page.components(separatedBy: "/notifications/accuses/").dropFirst().first)
        copy.targets.receiptToken = String(address.prefix { $0 != "<" && $0 != "\"" && !$0.isWhitespace })
        let cookie = try #require(await chief.cookies["rdv_session"])
        copy.targets.sessionHandle = SessionStore.handle(of: cookie)
        return copy
    }

    /// Whether `text` shows anything of this département: a name (all carry the mark) or an id,
    /// once the values `sent` are taken out of it (a form may echo what it was sent; that
    /// reveals nothing).
    func isSeen(in text: String, sent: [String] = []) -> Bool {
        var text = text.lowercased()
        for value in sent.map({ $0.lowercased() }).sorted(by: { $0.count > $1.count }) where value.count >= 3 {
            text = text.replacingOccurrences(of: value, with: "")
        }
        return text.contains(mark.lowercased()) || ids.contains { text.contains($0.uuidString.lowercased()) }
    }

    var ids: [UUID] {
        [
            targets.organisationID, targets.agentID, targets.adminID, targets.serviceID, targets.lieuID, targets.motifID, targets.plageID,
            targets.absenceID, targets.usagerID, targets.relativeID, targets.rdvID, targets.collectiveRdvID, targets.onlineRdvID, targets.sectorID,
            targets.zoneID, targets.attributionID, targets.messageID, targets.webhookEndpointID, targets.webhookDeliveryID, deptAdmin.id, secretariat.id,
            targets.importID,
        ]
    }
}

/// Every row of a département's schema, table by table, as a count and a digest: two equal
/// snapshots mean nothing was written there in between.
struct SchemaSnapshot: Equatable, Sendable {
    let tables: [String: String]

    static func take(_ world: TestWorld, _ tenant: Tenant) async throws -> SchemaSnapshot {
        let names = try await world.owner.ownerQuery(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(tenant.schemaName) AND table_type = 'BASE TABLE'"
        ).map { try $0.decode(String.self) }
        var tables: [String: String] = [:]
        for name in names {
            // Identifiers cannot be bound; these come from the catalogue, quoted.
            let relation = "\"\(tenant.schemaName)\".\"\(name)\""
            let rows = try await world.owner.ownerQuery(
                "SELECT count(*)::int, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \(unescaped: relation) t"
            )
            let (count, digest) = try rows[0].decode((Int, String).self)
            tables[name] = "\(count) rows, \(digest)"
        }
        return SchemaSnapshot(tables: tables)
    }

    /// Tables whose rows differ from `earlier`'s.
    func changes(since earlier: SchemaSnapshot) -> [String] {
        Set(tables.keys).union(earlier.tables.keys).filter { tables[$0] != earlier.tables[$0] }.sorted()
    }
}

/// One request aimed at another département's data, and the answers it may get.
struct CrossProbe: Sendable, CustomStringConvertible {
    /// As `tenantRouteList` spells it: `POST /rdv/{id}/statut`.
    let route: String
    let path: String
    /// Nil for a GET.
    let form: [String: String]?
    var allowed: Set<Int>
    /// Where a redirect must lead (the start of its location), when one is allowed.
    var location: String?
    /// A page to open first, for a CSRF token bound as this route expects.
    var csrfPage: String?
    /// A JSON body posted as a provider does, without cookies or CSRF.
    var json: String?

    static func get(_ pattern: String, _ path: String, allowed: Set<Int> = [404], location: String? = nil) -> CrossProbe {
        CrossProbe(route: "GET \(pattern)", path: path, form: nil, allowed: allowed, location: location)
    }

    static func post(_ pattern: String, _ path: String, _ form: [String: String] = [:], allowed: Set<Int> = [404], location: String? = nil) -> CrossProbe {
        CrossProbe(route: "POST \(pattern)", path: path, form: form, allowed: allowed, location: location)
    }

    static func postJSON(_ pattern: String, _ path: String, _ json: String, allowed: Set<Int> = [404]) -> CrossProbe {
        CrossProbe(route: "POST \(pattern)", path: path, form: [:], allowed: allowed, json: json)
    }

    var description: String { "\(form == nil ? "GET" : "POST") \(path)" }

    /// The same request, with other answers allowed.
    func allowing(_ statuses: Set<Int>, location: String? = nil) -> CrossProbe {
        var copy = self
        copy.allowed = statuses
        copy.location = location ?? self.location
        return copy
    }

    /// The same request, after opening `page` for its CSRF token.
    func csrf(from page: String) -> CrossProbe {
        var copy = self
        copy.csrfPage = page
        return copy
    }
}

extension Browser {
    /// Sends `probe` (a form with this browser's CSRF token, or JSON through `app`) and checks its answer: one of those
    /// allowed, never a 500, and nothing of `theirs` in the body. Returns the response.
    @discardableResult
    func send(
        _ probe: CrossProbe, as who: String, showingNothingOf theirs: CrossDepartement?, via app: LiveApp? = nil
    ) async throws -> TestClient.Response {
        if let page = probe.csrfPage { try await get(page) }
        let response: TestClient.Response
        if let json = probe.json {
            let app = try #require(app, "a JSON probe goes through the app itself")
            response = try await app.post(probe.path, host: host, body: json)
        } else if let form = probe.form {
            response = try await post(probe.path, form)
        } else {
            response = try await get(probe.path)
        }
        let status = Int(response.status.code), expected = probe.allowed.contains(status)
        #expect(expected, "\(who): \(probe) answered \(status), expected \(probe.allowed.sorted())")
        if status == 303, let location = probe.location {
            let leads = response.headers[.location]?.hasPrefix(location) == true
            #expect(leads, "\(who): \(probe) led to \(response.headers[.location] ?? "nowhere")")
        }
        if let theirs {
            let query = probe.path.split(separator: "?").dropFirst().first.map { $0.split(separator: "&").compactMap { $0.split(separator: "=").last.map(String.init) } } ?? []
            // A file's fields (a CSV in a form) are what was sent too: a page may name one back.
            let fileFields = probe.form.map { $0.values.flatMap { $0.split(whereSeparator: { $0.isNewline || $0 == ";" }).map(String.init) } } ?? []
            let sent = probe.path.split(separator: "/").map(String.init) + query + (probe.form.map { Array($0.keys) + Array($0.values) } ?? []) + fileFields
            let seen = theirs.isSeen(in: response.text, sent: sent)
            #expect(!seen, "\(who): \(probe) shows data of \(theirs.mark)")
        }
        return response
    }
}

extension CrossDepartement {
    /// Checks that nothing was written in this département's schema since `before`.
    func expectUnchanged(since before: SchemaSnapshot, _ world: TestWorld, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let changed = try await SchemaSnapshot.take(world, tenant).changes(since: before)
        #expect(changed.isEmpty, "rows of \(mark) changed in \(changed)", sourceLocation: sourceLocation)
    }
}
