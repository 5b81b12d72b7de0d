import Scheduling

/// What the console's home must remind operators of, from the conventions and the committee
/// log: what the Pas-de-Calais agreement of 2020 asks of the directorate.
public struct PartnershipWarning: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A convention ends within three months: the continuation strategy is due.
        case conventionEnding
        /// A contribution's due date passed and it is not paid in full.
        case contributionUnpaid
        /// No technical committee met this month (it meets at least monthly).
        case technicalCommitteeMissing
        /// No steering committee met this quarter (it meets at least quarterly).
        case steeringCommitteeMissing
    }

    public let kind: Kind
    public let message: String
    /// The console page where it is dealt with.
    public let link: String

    /// Every warning on `today`, conventions first (earliest end first), then committees.
    public static func compute(
        today: LocalDate, conventions: [ConventionRecord], schedule: ContributionSchedule, payments: [PaymentRecord],
        meetings: [CommitteeMeeting]
    ) -> [PartnershipWarning] {
        var warnings: [PartnershipWarning] = []
        let horizon = today.adding(months: 3)
        for convention in conventions.sorted(by: { ($0.endsOn, $0.id) < ($1.endsOn, $1.id) })
        where convention.endsOn >= today && convention.endsOn <= horizon {
            warnings.append(.init(
                kind: .conventionEnding,
                message: "La convention de \(convention.departementName) (\(convention.fundingRound)) finit le "
                    + "\(ConsortiumCalendar.french(convention.endsOn)) : la stratégie de poursuite est à proposer au plus tard trois mois avant.",
                link: "/partenariat/departements/\(convention.tenantID)"
            ))
        }
        for convention in conventions.sorted(by: { ($0.contributionDueOn, $0.id) < ($1.contributionDueOn, $1.id) })
        where convention.contributionDueOn < today {
            let due = schedule.dueCents(conventionID: convention.id)
            let paid = payments.filter { $0.conventionID == convention.id }.reduce(0) { $0 + $1.amountCents }
            guard paid < due else { continue }
            warnings.append(.init(
                kind: .contributionUnpaid,
                message: "Contribution de \(convention.departementName) (\(convention.fundingRound)) : \(Euros.format(due - paid)) "
                    + "restent dus depuis le \(ConsortiumCalendar.french(convention.contributionDueOn)).",
                link: "/partenariat/departements/\(convention.tenantID)"
            ))
        }
        let monthStart = LocalDate(year: today.year, month: today.month, day: 1)!
        if !meetings.contains(where: { $0.kind == .technical && $0.heldOn >= monthStart && $0.heldOn <= today }) {
            warnings.append(.init(
                kind: .technicalCommitteeMissing,
                message: "Aucun comité technique consigné en \(ConsortiumCalendar.frenchMonth(of: today)) : il se réunit au moins une fois par mois.",
                link: "/partenariat/comites"
            ))
        }
        let quarter = ConsortiumCalendar.quarter(of: today)
        let quarterStart = LocalDate(year: today.year, month: (quarter - 1) * 3 + 1, day: 1)!
        if !meetings.contains(where: { $0.kind == .steering && $0.heldOn >= quarterStart && $0.heldOn <= today }) {
            warnings.append(.init(
                kind: .steeringCommitteeMissing,
                message: "Aucun comité de pilotage consigné ce trimestre (\(quarter == 1 ? "1er" : "\(quarter)e") trimestre \(today.year)) : "
                    + "il se réunit au moins une fois par trimestre.",
                link: "/partenariat/comites"
            ))
        }
        return warnings
    }
}

/// One meeting of the committee log.
public struct CommitteeMeeting: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case technical
        case steering

        public var frenchName: String { self == .technical ? "Comité technique" : "Comité de pilotage" }
    }

    public let id: Int
    public let heldOn: LocalDate
    public let kind: Kind
    /// Names of the départements that attended.
    public let attendees: [String]
    public let minutesURL: String?

    public init(id: Int, heldOn: LocalDate, kind: Kind, attendees: [String], minutesURL: String?) {
        self.id = id
        self.heldOn = heldOn
        self.kind = kind
        self.attendees = attendees
        self.minutesURL = minutesURL
    }
}
