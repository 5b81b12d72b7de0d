import Agenda
import Foundation
import Identity
import Notifications
import Scheduling
import Tenancy

/// Why an agent's change to an appointment is refused.
public enum AgentAppointmentError: DomainError, Equatable {
    /// The appointment is in agendas this agent may read but not change.
    case forbidden
    /// Only a coming appointment, neither cancelled nor filled in, moves.
    case notMovable
    /// One of the appointment's agents already has an appointment at the new time.
    case agentBusyAtNewTime
    /// The agent added already has an appointment at that time.
    case addedAgentBusy
    case notesTooLong
    case participantNameMissing
    /// A time more than a year back or three years ahead: a typing or a program's mistake.
    case startOutOfRange
    /// Only an individual appointment still to come, more than a week away, waits for an earlier slot.
    case notWaitable
    /// Without an email or a mobile phone, nobody could be told a slot became free.
    case noContact
    /// Only a past appointment whose outcome is still unknown is filled in from the list.
    case outcomeNotPending

    public var refusal: Refusal {
        switch self {
        case .forbidden: .forbidden
        case .notMovable, .agentBusyAtNewTime, .addedAgentBusy, .notWaitable, .outcomeNotPending: .conflict
        case .notesTooLong, .participantNameMissing, .startOutOfRange, .noContact: .invalid
        }
    }

    public var title: String {
        switch self {
        case .forbidden: "Accès refusé"
        case .notMovable: "Rendez-vous non déplaçable"
        case .agentBusyAtNewTime, .addedAgentBusy: "Créneau déjà pris"
        case .notesTooLong: "Notes trop longues"
        case .participantNameMissing: "Participant incomplet"
        case .startOutOfRange: "Date hors limites"
        case .notWaitable: "Liste d’attente impossible"
        case .noContact: "Coordonnées manquantes"
        case .outcomeNotPending: "Issue déjà renseignée"
        }
    }

    public var french: String {
        switch self {
        case .forbidden: "Vous pouvez consulter ce rendez-vous, pas le modifier."
        case .notMovable: "Seul un rendez-vous à venir, ni annulé ni renseigné, se déplace."
        case .agentBusyAtNewTime: "Un agent du rendez-vous est déjà pris à ce moment-là. " + BookingError.slotTaken.french
        case .addedAgentBusy: "Cet agent a déjà un rendez-vous à ce moment-là. " + BookingError.slotTaken.french
        case .notesTooLong: "Les notes comptent au plus 5 000 caractères."
        case .participantNameMissing: "Le prénom et le nom du participant sont obligatoires."
        case .startOutOfRange: "Un rendez-vous se place entre il y a un an et dans trois ans."
        case .notWaitable: "Seul un rendez-vous individuel à venir, dans plus d’une semaine, peut attendre un créneau plus tôt."
        case .outcomeNotPending: "Un des rendez-vous choisis n’est pas encore passé ou est déjà renseigné : rien n’a été enregistré, rechargez la liste."
        case .noContact: "Ajoutez un courriel ou un téléphone portable à la fiche de l’usager : sans eux, personne ne pourrait le prévenir qu’un créneau se libère."
        }
    }
}

/// Who an agent books an appointment for: a usager of the département, or a new one.
public enum AppointmentAttendee: Sendable, Hashable {
    case existing(UUID)
    case new(firstName: String, lastName: String, phone: String?, email: String?, birthDate: LocalDate?)
}

/// An agent's use cases on appointments, for the pages and the API alike: each in the caller's
/// tenant transaction, the permission checked there against the agendas of the appointment's
/// agents (another département's ids are simply not found).
public struct AgentAppointments: Sendable {
    public static let notesLimit = 5000

    let connection: TenantConnection
    let tenant: Tenant
    let links: NoticeLinks
    let agent: Agent
    let now: Date

    public init(_ connection: TenantConnection, tenant: Tenant, links: NoticeLinks, agent: Agent, now: Date = Date()) {
        self.connection = connection
        self.tenant = tenant
        self.links = links
        self.agent = agent
        self.now = now
    }

    /// The acting agent with their services, as the policy reads them.
    public func actor() async throws -> Actor {
        Actor(agentID: agent.id, role: agent.role, organisationID: agent.organisationID, serviceIDs: try await AgendaCatalog(connection).serviceIDs(of: agent.id))
    }

    /// Another agent of this département as the object of a permission; nil when unknown here.
    public func reference(to agentID: UUID) async throws -> AgentReference? {
        guard let target = try await AgentRepository(connection).find(id: agentID) else { return nil }
        return AgentReference(agentID: target.id, organisationID: target.organisationID, serviceIDs: try await AgendaCatalog(connection).serviceIDs(of: target.id))
    }

    /// Checks that the appointment exists here and is in an agenda this agent may read (and,
    /// with `edit`, change): `BookingError.rdvNotFound` otherwise, or `.forbidden` for a read-only one.
    public func requireAccess(to rdvID: UUID, edit: Bool) async throws {
        guard let found = try await RdvQueries(connection).find(rdvID) else { throw BookingError.rdvNotFound }
        let actor = try await actor()
        var visible = false, editable = false
        for agentID in found.agentIDs {
            guard let target = try await reference(to: agentID) else { continue }
            visible = visible || Policy.can(actor, .viewAgenda(target))
            editable = editable || Policy.can(actor, .editAgenda(target))
        }
        guard visible else { throw BookingError.rdvNotFound }
        if edit, !editable { throw AgentAppointmentError.forbidden }
    }

    /// Books a slot in `agentID`'s agenda for the attendee; the usager is told. The motif and
    /// lieu must be this département's (`BookingError.rdvNotFound` otherwise), a follow-up motif
    /// needs one of the usager's referents, and PostgreSQL refuses a double booking.
    /// - Parameter api: the API token booking on the agent's behalf, and the slot it held first.
    public func book(
        motifID: UUID, lieuID: UUID, agentID: UUID, start: Date, for attendee: AppointmentAttendee, via api: (tokenID: UUID, hold: UUID?)? = nil
    ) async throws -> UUID {
        try await requireEditable(agentID)
        try requireReasonable(start)
        let (motif, rules) = try await bookable(motifID: motifID, lieuID: lieuID)
        if let api, let hold = api.hold {
            try await takeHold(hold, tokenID: api.tokenID, motifID: motifID, lieuID: lieuID, agentID: agentID, start: start)
        }
        let usagers = UsagerRepository(connection)
        let usager = try await usagerID(of: attendee)
        if rules.followUpOnly, !(try await usagers.followUpAgents(of: usager).contains(agentID)) { throw BookingError.notReferent }
        let rdvID = try await RdvRepository(connection).book(NewRdv(
            motifID: motifID, lieuID: lieuID, start: start, end: start.addingTimeInterval(TimeInterval(motif.durationMinutes * 60)),
            agentIDs: [agentID], usagerIDs: [usager], capacity: motif.collective ? motif.defaultCapacity : nil,
            createdBy: api == nil ? "agent" : "api", createdByAgentID: agent.id, createdByAPITokenID: api?.tokenID
        ))
        try await notices.record(.booked, rdvID: rdvID, byUsager: false, actingAgentID: agent.id)
        return rdvID
    }

    /// The agents whose agenda this agent may read.
    public func visibleAgentIDs() async throws -> [UUID] {
        let actor = try await actor()
        let services = try await AgendaCatalog(connection).serviceIDsByAgent()
        return try await AgentRepository(connection).all(in: nil).filter { other in
            Policy.can(actor, .viewAgenda(AgentReference(agentID: other.id, organisationID: other.organisationID, serviceIDs: services[other.id] ?? [])))
        }.map(\.id)
    }

    /// An appointment this agent may read, as a record; `lock` keeps its row for a checked write.
    public func record(_ rdvID: UUID, lock: Bool = false) async throws -> RdvRecord {
        try await requireAccess(to: rdvID, edit: false)
        guard let record = try await RdvRecords(connection).find(rdvID, lock: lock) else { throw BookingError.rdvNotFound }
        return record
    }

    /// A page of the appointments in the agendas this agent may read.
    public func records(_ filter: RdvFilter) async throws -> [RdvRecord] {
        try await RdvRecords(connection).list(filter, visibleAgents: try await visibleAgentIDs())
    }

    /// A page of the filter's appointments in the agendas this agent may read, how many it
    /// matches in all, and those agendas' agents (the policy read once for the three).
    public func listing(_ filter: RdvFilter) async throws -> (records: [RdvRecord], count: Int, visibleAgents: [UUID]) {
        let visible = try await visibleAgentIDs()
        let records = RdvRecords(connection)
        return (try await records.list(filter, visibleAgents: visible), try await records.count(filter, visibleAgents: visible), visible)
    }

    /// The outcome of several past appointments at once (seen or no-show), all or none: one
    /// that is not in an agenda this agent may change, not past, or already filled in refuses
    /// the whole batch. Returns how many were filled in.
    public func setOutcomes(_ rdvIDs: [UUID], to status: RdvStatus) async throws -> Int {
        precondition(status == .seen || status == .noshow, "an outcome is seen or no-show")
        for rdvID in Set(rdvIDs) {
            try await requireAccess(to: rdvID, edit: true)
            guard let record = try await RdvRecords(connection).find(rdvID, lock: true) else { throw BookingError.rdvNotFound }
            guard record.status == .unknown, record.range.end < now else { throw AgentAppointmentError.outcomeNotPending }
            try await RdvRepository(connection).setStatus(rdvID, to: status, byAgent: agent.id)
        }
        return Set(rdvIDs).count
    }

    /// Refuses a time more than a year back or three years ahead.
    func requireReasonable(_ start: Date) throws {
        guard start > now.addingTimeInterval(-366 * 86_400), start < now.addingTimeInterval(3 * 366 * 86_400) else {
            throw AgentAppointmentError.startOutOfRange
        }
    }

    /// Refuses an agent unknown here (not found) or whose agenda this agent may not change.
    func requireEditable(_ agentID: UUID) async throws {
        guard let target = try await reference(to: agentID) else { throw BookingError.rdvNotFound }
        guard Policy.can(try await actor(), .editAgenda(target)) else { throw AgentAppointmentError.forbidden }
    }

    /// The motif and lieu of a booking, both of this département (not found otherwise).
    func bookable(motifID: UUID, lieuID: UUID) async throws -> (Motif, MotifRules) {
        let catalog = AgendaCatalog(connection)
        guard let motif = try await catalog.motifs().first(where: { $0.id == motifID }),
              let rules = try await MotifRepository(connection).find(motifID)?.rules,
              try await catalog.lieux().contains(where: { $0.id == lieuID })
        else { throw BookingError.rdvNotFound }
        return (motif, rules)
    }

    /// A new usager joins a collective session.
    public func addParticipant(to rdvID: UUID, firstName: String, lastName: String) async throws {
        try await requireAccess(to: rdvID, edit: true)
        let firstName = firstName.trimmingCharacters(in: .whitespaces), lastName = lastName.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(firstName.storedLength), (1...100).contains(lastName.storedLength) else { throw AgentAppointmentError.participantNameMissing }
        try await addParticipant(to: rdvID, .new(firstName: firstName, lastName: lastName, phone: nil, email: nil, birthDate: nil))
    }

    /// A usager, known or new, joins a collective session (a seat must be left).
    public func addParticipant(to rdvID: UUID, _ attendee: AppointmentAttendee) async throws {
        try await requireAccess(to: rdvID, edit: true)
        let usager = try await usagerID(of: attendee)
        try await RdvRepository(connection).join(rdvID, usagerID: usager, byAgent: agent.id)
    }

    /// The attendee's record: an existing usager of this département, or one made now.
    func usagerID(of attendee: AppointmentAttendee) async throws -> UUID {
        let usagers = UsagerRepository(connection)
        switch attendee {
        case .existing(let id):
            guard try await usagers.find(id) != nil else { throw BookingError.rdvNotFound }
            return id
        case .new(let firstName, let lastName, let phone, let email, let birthDate):
            return try await usagers.create(firstName: firstName, lastName: lastName, phone: phone, email: email, birthDate: birthDate)
        }
    }

    /// One participant's attendance (seen, no-show, excused…) in a collective session.
    public func setParticipantStatus(_ rdvID: UUID, usagerID: UUID, to status: RdvStatus) async throws {
        try await requireAccess(to: rdvID, edit: true)
        guard try await RdvRepository(connection).setParticipantStatus(rdvID, usagerID: usagerID, to: status, byAgent: agent.id) else {
            throw BookingError.rdvNotFound
        }
    }

    /// The usager of an appointment booked here waits for an earlier slot, as online bookers
    /// may: an offer by message when one frees up, their appointment giving way if they take it.
    /// False when they already wait.
    @discardableResult
    public func waitForEarlier(_ rdvID: UUID) async throws -> Bool {
        try await requireAccess(to: rdvID, edit: true)
        guard let rdv = try await PublicRdvRepository(connection).find(rdvID) else { throw BookingError.rdvNotFound }
        guard rdv.status == .unknown, !rdv.collective, rdv.start.timeIntervalSince(now) > OnlineChangeRights.waitingListLead else {
            throw AgentAppointmentError.notWaitable
        }
        guard try await MotifRepository(connection).find(rdv.motifID)?.archived == false else { throw BookingError.motifUnavailable }
        return try await WaitingList(connection, tenant: tenant).addForEarlier(rdv)
    }

    /// Sets the status; cancelling a coming appointment tells the usager and frees its time.
    public func setStatus(_ rdvID: UUID, to status: RdvStatus) async throws {
        try await requireAccess(to: rdvID, edit: true)
        try await Cancellations(connection, tenant: tenant, links: links, now: now).setStatus(rdvID, to: status, byAgent: agent.id)
    }

    /// Moves a coming appointment; the usager is told.
    public func move(_ rdvID: UUID, to start: Date) async throws {
        try await requireAccess(to: rdvID, edit: true)
        guard try await RdvQueries(connection).find(rdvID)?.summary.status == .unknown else { throw AgentAppointmentError.notMovable }
        try requireReasonable(start)
        do {
            try await RdvRepository(connection).move(rdvID, to: start, byAgent: agent.id)
        } catch BookingError.slotTaken {
            throw AgentAppointmentError.agentBusyAtNewTime
        }
        try await notices.record(.moved, rdvID: rdvID, byUsager: false, actingAgentID: agent.id)
    }

    public func setNotes(_ rdvID: UUID, _ notes: String) async throws {
        try await requireAccess(to: rdvID, edit: true)
        let notes = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        guard notes.storedLength <= Self.notesLimit else { throw AgentAppointmentError.notesTooLong }
        try await RdvRepository(connection).setNotes(rdvID, notes, byAgent: agent.id)
    }

    /// Adds another agent to the appointment, or takes one off; the agent added or removed
    /// must be one whose agenda this agent may change.
    public func changeAgent(_ otherID: UUID, of rdvID: UUID, remove: Bool) async throws {
        try await requireAccess(to: rdvID, edit: true)
        guard let target = try await reference(to: otherID) else { throw BookingError.rdvNotFound }
        guard Policy.can(try await actor(), .editAgenda(target)) else { throw AgentAppointmentError.forbidden }
        let repository = RdvRepository(connection)
        if remove {
            try await repository.removeAgent(otherID, from: rdvID, byAgent: agent.id)
        } else {
            do {
                try await repository.addAgent(otherID, to: rdvID, byAgent: agent.id)
            } catch BookingError.slotTaken {
                throw AgentAppointmentError.addedAgentBusy
            }
        }
    }

    private var notices: AppointmentNotices { AppointmentNotices(connection, tenant: tenant, links: links) }
}
