/// A published table of statistics: rows × columns of counts (or medians), with the sums a reader
/// can see, and statistical secrecy already applied. Pages and CSV downloads show the same cells.
public struct StatisticsTable: Sendable {
    /// A value before secrecy.
    public enum Value: Sendable, Hashable {
        case count(Int)
        /// A median in days, and how many appointments it is the median of.
        case days(Double?, of: Int)
    }

    /// A value as published.
    public enum Cell: Sendable, Hashable {
        case count(Int)
        /// A count from 1 to 4, hidden for itself.
        case small
        /// A count hidden so that a small one cannot be found by subtraction.
        case secret
        case days(Double)
        /// Nothing to show (a median of fewer than five appointments, or of none).
        case none
    }

    /// A cell's place: (row, column).
    public struct Position: Sendable, Hashable {
        public let row: Int
        public let column: Int

        public init(_ row: Int, _ column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// `parts` add up to `total`, all of them published.
    public struct Sum: Sendable, Hashable {
        public let parts: [Position]
        public let total: Position

        public init(parts: [Position], total: Position) {
            self.parts = parts
            self.total = total
        }
    }

    public let title: String
    /// The heading of the first column (what the rows are).
    public let rowHeading: String
    public let columns: [String]
    public let rowLabels: [String]
    public let cells: [[Cell]]

    /// - Parameter sums: every sum a reader could check among the cells (a totals row, a total
    ///   column, a metric that is the sum of two others); secrecy holds against each of them.
    public init(title: String, rowHeading: String, columns: [String], rows: [(String, [Value])], sums: [Sum]) {
        self.title = title
        self.rowHeading = rowHeading
        self.columns = columns
        self.rowLabels = rows.map(\.0)
        let width = columns.count
        func index(_ position: Position) -> Int { position.row * width + position.column }
        let values = rows.flatMap(\.1)
        let counts = values.map { value -> Int in
            if case .count(let count) = value { return count }
            return 0
        }
        let suppression = SmallCountSuppression(
            counts: counts, constraints: sums.map { .init(parts: $0.parts.map(index), total: index($0.total)) }
        )
        let hidden = suppression.hidden()
        var published: [Cell] = []
        for (offset, value) in values.enumerated() {
            switch value {
            case .count(let count):
                published.append(hidden[offset] ? (SmallCountSuppression.isSmall(count) ? .small : .secret) : .count(count))
            case .days(let median, let basis):
                if let median, basis >= SmallCountSuppression.threshold {
                    published.append(.days(median))
                } else {
                    published.append(.none)
                }
            }
        }
        self.cells = stride(from: 0, to: published.count, by: max(width, 1)).map { Array(published[$0..<min($0 + width, published.count)]) }
    }

    /// A table made of cells already published elsewhere (a row or column of other tables).
    init(title: String, rowHeading: String, columns: [String], rowLabels: [String], cells: [[Cell]]) {
        self.title = title
        self.rowHeading = rowHeading
        self.columns = columns
        self.rowLabels = rowLabels
        self.cells = cells
    }

    /// Sums of a table whose last row totals the others, column by column, for `columns`.
    public static func totalsRow(rows: Int, columns: [Int]) -> [Sum] {
        guard rows > 1 else { return [] }
        return columns.map { column in
            Sum(parts: (0..<(rows - 1)).map { Position($0, column) }, total: Position(rows - 1, column))
        }
    }

    /// The same sum of columns on every row: `parts` add up to `total` in each.
    public static func withinRows(rows: Int, parts: [Int], total: Int) -> [Sum] {
        (0..<rows).map { row in Sum(parts: parts.map { Position(row, $0) }, total: Position(row, total)) }
    }
}
