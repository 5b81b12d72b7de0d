/// What the consortium's statistics count. Every metric but the two distinct counts is stored per
/// day (`shared.statistics_days`, one column each, named by the raw value) and adds up over a
/// month; `activeAgents` and `usagersServed` are distinct counts, stored per month.
public enum StatisticsMetric: String, Sendable, CaseIterable, Hashable {
    case createdAgent = "created_agent"
    case createdUsager = "created_usager"
    case createdWaitingList = "created_waiting_list"
    case createdAPI = "created_api"
    case seen
    case noshow
    case excused
    case revoked
    case noshowReminded = "noshow_reminded"
    case noshowNotReminded = "noshow_not_reminded"
    case remindersEmail = "reminders_email"
    case remindersSMS = "reminders_sms"
    case confirmationsEmail = "confirmations_email"
    case confirmationsSMS = "confirmations_sms"
    case smsSegments = "sms_segments"
    case slotsFreed = "slots_freed"
    case slotsRebooked = "slots_rebooked"
    case offersSent = "offers_sent"
    case offersTaken = "offers_taken"
    case confirmed
    case noshowConfirmed = "noshow_confirmed"
    case unanswered
    case noshowUnanswered = "noshow_unanswered"
    case declined
    case released
    case activeAgents = "active_agents"
    case usagersServed = "usagers_served"

    /// The metrics stored per day, in the column order of `shared.statistics_days`.
    public static let daily: [StatisticsMetric] = allCases.filter { !$0.isMonthly }

    /// Distinct counts: a month's value is not the sum of its days.
    public var isMonthly: Bool { self == .activeAgents || self == .usagersServed }

    public var frenchName: String {
        switch self {
        case .createdAgent: "pris par un agent"
        case .createdUsager: "pris en ligne par l’usager"
        case .createdWaitingList: "pris par la liste d’attente"
        case .createdAPI: "pris par un logiciel partenaire (API)"
        case .seen: "vus"
        case .noshow: "non honorés"
        case .excused: "annulés par l’usager"
        case .revoked: "annulés par le service"
        case .noshowReminded: "non honorés après un rappel"
        case .noshowNotReminded: "non honorés sans rappel"
        case .remindersEmail: "rappels par courriel"
        case .remindersSMS: "rappels par SMS"
        case .confirmationsEmail: "confirmations par courriel"
        case .confirmationsSMS: "confirmations par SMS"
        case .smsSegments: "segments SMS envoyés"
        case .slotsFreed: "créneaux libérés par l’usager"
        case .slotsRebooked: "créneaux libérés repris"
        case .offersSent: "propositions de la liste d’attente"
        case .offersTaken: "propositions acceptées"
        case .confirmed: "confirmés par l’usager"
        case .noshowConfirmed: "non honorés malgré la confirmation"
        case .unanswered: "sans réponse à la demande de confirmation"
        case .noshowUnanswered: "non honorés sans réponse"
        case .declined: "annulés en réponse à la demande"
        case .released: "libérés faute de confirmation"
        case .activeAgents: "agents actifs"
        case .usagersServed: "usagers reçus"
        }
    }
}

/// One département's (or the consortium's) figures over a span: counts per metric and the
/// histogram of lead days.
public struct StatisticsFigures: Sendable, Hashable {
    public var counts: [StatisticsMetric: Int]
    public var lead: LeadHistogram

    public init(counts: [StatisticsMetric: Int] = [:], lead: LeadHistogram = LeadHistogram()) {
        self.counts = counts
        self.lead = lead
    }

    public subscript(metric: StatisticsMetric) -> Int { counts[metric] ?? 0 }

    /// Appointments created, whatever their origin.
    public var created: Int {
        [StatisticsMetric.createdAgent, .createdUsager, .createdWaitingList, .createdAPI].reduce(0) { $0 + self[$1] }
    }

    public mutating func add(_ other: StatisticsFigures) {
        counts.merge(other.counts, uniquingKeysWith: +)
        lead.add(other.lead)
    }
}
