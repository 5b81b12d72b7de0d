/// The published tables of a month, built from `StatisticsRepository.monthly`: départements side
/// by side with the consortium's totals, and trends over months. Every table comes with its
/// secrecy applied (`StatisticsTable`).
public struct StatisticsReport: Sendable {
    /// A département as the tables name it.
    public struct Member: Sendable, Hashable {
        public let id: Int
        public let code: String
        public let name: String

        public init(id: Int, code: String, name: String) {
            self.id = id
            self.code = code
            self.name = name
        }
    }

    /// A theme of the statistics: one table, one CSV download.
    public enum Section: String, Sendable, CaseIterable {
        case bookings = "rdv-pris"
        case outcomes = "issue"
        case messages
        case slots = "creneaux"
        case confirmations = "confirmation"
        case activity = "activite"

        public var title: String {
            switch self {
            case .bookings: "Rendez-vous pris, selon qui les a pris"
            case .outcomes: "Issue des rendez-vous du mois"
            case .messages: "Rappels, confirmations et SMS envoyés"
            case .slots: "Créneaux libérés et liste d’attente"
            case .confirmations: "Confirmation des rendez-vous par l’usager"
            case .activity: "Activité et délai de rendez-vous"
            }
        }

        public var metrics: [StatisticsMetric] {
            switch self {
            case .bookings: [.createdAgent, .createdUsager, .createdWaitingList, .createdAPI]
            case .outcomes: [.seen, .noshow, .excused, .revoked, .noshowReminded, .noshowNotReminded]
            case .messages: [.remindersEmail, .remindersSMS, .confirmationsEmail, .confirmationsSMS, .smsSegments]
            case .slots: [.slotsFreed, .slotsRebooked, .offersSent, .offersTaken]
            case .confirmations: [.confirmed, .noshowConfirmed, .unanswered, .noshowUnanswered, .declined, .released]
            case .activity: [.activeAgents, .usagersServed]
            }
        }

        /// Column headings: the metrics, then what is computed from them.
        var columns: [String] {
            let names = metrics.map { $0.frenchName.prefix(1).uppercased() + $0.frenchName.dropFirst() }
            switch self {
            case .bookings: return names + ["Total des rendez-vous pris"]
            case .activity: return names + ["Délai médian entre la prise et le rendez-vous (jours)"]
            default: return names
            }
        }

        func values(_ figures: StatisticsFigures) -> [StatisticsTable.Value] {
            let counts = metrics.map { StatisticsTable.Value.count(figures[$0]) }
            switch self {
            case .bookings: return counts + [.count(figures.created)]
            case .activity: return counts + [.days(figures.lead.median, of: figures.lead.total)]
            default: return counts
            }
        }

        /// The sums each row shows: the total of the origins, the two kinds of no-show.
        func sumsWithinRows(_ rows: Int) -> [StatisticsTable.Sum] {
            switch self {
            case .bookings: StatisticsTable.withinRows(rows: rows, parts: [0, 1, 2, 3], total: 4)
            case .outcomes: StatisticsTable.withinRows(rows: rows, parts: [4, 5], total: 1)
            default: []
            }
        }

        var countColumns: [Int] { Array(0..<(self == .bookings ? 5 : metrics.count)) }
    }

    public let members: [Member]
    public let figures: [Int: [String: StatisticsFigures]]

    public init(members: [Member], figures: [Int: [String: StatisticsFigures]]) {
        self.members = members.sorted { $0.code < $1.code }
        self.figures = figures
    }

    /// One département's figures of a month (`"YYYY-MM"`), zero when none.
    public func figures(of memberID: Int, in month: String) -> StatisticsFigures {
        figures[memberID]?[month] ?? StatisticsFigures()
    }

    /// The consortium's figures of a month: the sum over départements (distinct counts add up
    /// too, since nobody is counted in two départements' schemas as the same row).
    public func consortium(in month: String) -> StatisticsFigures {
        members.reduce(into: StatisticsFigures()) { $0.add(figures(of: $1.id, in: month)) }
    }

    /// Départements side by side for one section and month, with the consortium's row last.
    public func sideBySide(_ section: Section, month: String) -> StatisticsTable {
        var rows = members.map { ("\($0.name) (\($0.code))", section.values(figures(of: $0.id, in: month))) }
        rows.append(("Consortium", section.values(consortium(in: month))))
        return StatisticsTable(
            title: section.title, rowHeading: "Département", columns: section.columns, rows: rows,
            sums: StatisticsTable.totalsRow(rows: rows.count, columns: section.countColumns) + section.sumsWithinRows(rows.count)
        )
    }

    /// One département's section for a month: its row of the side-by-side table, so that a cell
    /// hidden there to protect another département is hidden here too.
    public func departement(_ member: Member, _ section: Section, month: String) -> StatisticsTable {
        let table = sideBySide(section, month: month)
        let row = members.firstIndex(of: member) ?? 0
        return StatisticsTable(
            title: table.title, rowHeading: table.rowHeading, columns: table.columns,
            rowLabels: [table.rowLabels[row]], cells: [table.cells[row]]
        )
    }

    /// The columns of the trend table: (heading, section, column in that section's table).
    static let trendColumns: [(String, Section, Int)] = [
        ("Rendez-vous pris", .bookings, 4), ("Vus", .outcomes, 0), ("Non honorés", .outcomes, 1),
        ("Annulés par l’usager", .outcomes, 2), ("Annulés par le service", .outcomes, 3), ("Segments SMS envoyés", .messages, 4),
    ]

    /// Month by month over `months` (oldest first, `"YYYY-MM"` keys), for the consortium or one
    /// département: each cell as the month's side-by-side table publishes it.
    public func trend(months: [(key: String, label: String)], of member: Member? = nil) -> StatisticsTable {
        let row = member.flatMap { members.firstIndex(of: $0) } ?? members.count
        let cells = months.map { month -> [StatisticsTable.Cell] in
            var tables: [Section: StatisticsTable] = [:]
            return Self.trendColumns.map { _, section, column in
                let table = tables[section] ?? sideBySide(section, month: month.key)
                tables[section] = table
                return table.cells[row][column]
            }
        }
        return StatisticsTable(
            title: "Évolution sur \(months.count) mois", rowHeading: "Mois", columns: Self.trendColumns.map(\.0),
            rowLabels: months.map(\.label), cells: cells
        )
    }
}
