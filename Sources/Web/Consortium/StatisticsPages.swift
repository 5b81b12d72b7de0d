import Consortium

/// A published statistics table on a page (`stats_table.mustache`), with its CSV link.
struct StatisticsTableView: PageModel {
    struct Row: PageModel {
        let label: String
        let cells: [String]
    }

    let id: String
    let title: String
    let rowHeading: String
    let columns: [String]
    let rows: [Row]
    let csvLink: String

    init(_ table: StatisticsTable, id: String, csvLink: String) {
        self.id = id
        self.title = table.title
        self.rowHeading = table.rowHeading
        self.columns = table.columns
        self.rows = zip(table.rowLabels, table.cells).map { Row(label: $0, cells: $1.map(StatisticsFormat.text)) }
        self.csvLink = csvLink
    }
}

/// A headline figure of the month.
struct StatisticsFigure: PageModel {
    let label: String
    let value: String
}

/// The statistics home (`stats_home.mustache`) and a département's page (`stats_departement.mustache`).
struct StatisticsPage: PageModel {
    struct Link: PageModel {
        let label: String
        let href: String
    }

    let pageTitle: String
    let heading: String
    let lead: String
    let monthLabel: String
    let monthKey: String
    let previous: Link
    let next: Link?
    let refreshed: String
    let figures: [StatisticsFigure]
    let chartTitle: String
    let chart: String
    let trend: StatisticsTableView
    let tables: [StatisticsTableView]
    let departements: [Link]
    let hasDepartements: Bool
}
