import Consortium
import SeededRandom
import Testing

/// Statistical secrecy, as a pure function: hand-made cases, then random tables.
@Suite struct SmallCountSuppressionTests {
    @Test func aLoneSmallCountOfAColumnTakesTheNextSmallestWithIt() {
        // Column 0: 3 (small) + 12 + 7 = 22 (visible total): 7 must go too.
        let table = StatisticsTable(
            title: "t", rowHeading: "r", columns: ["a", "b"],
            rows: [("x", [.count(3), .count(40)]), ("y", [.count(12), .count(41)]), ("z", [.count(7), .count(42)]), ("total", [.count(22), .count(123)])],
            sums: StatisticsTable.totalsRow(rows: 4, columns: [0, 1])
        )
        #expect(table.cells.map { $0[0] } == [.small, .count(12), .secret, .count(22)])
        #expect(table.cells.map { $0[1] } == [.count(40), .count(41), .count(42), .count(123)])
    }

    @Test func aSumWithNoOtherPartToHideHidesItsTotalAndZerosStayVisible() {
        // 4 is the only part of the sum whose total is 5: the 5 would give it back.
        let suppression = SmallCountSuppression(counts: [0, 5, 4, 12], constraints: [.init(parts: [2], total: 1)])
        #expect(suppression.hidden() == [false, true, true, false])
    }

    @Test func mediansOfFewerThanFiveAppointmentsAreNotShown() {
        let table = StatisticsTable(
            title: "t", rowHeading: "r", columns: ["d"], rows: [("x", [.days(3.5, of: 4)]), ("y", [.days(6, of: 5)]), ("z", [.days(nil, of: 0)])], sums: []
        )
        #expect(table.cells == [[.none], [.days(6)], [.none]])
    }

    /// Random tables with a totals row and a total column: every small count is hidden, and no
    /// visible sum has exactly one hidden part (so no hidden cell is one subtraction away).
    @Test(arguments: 0..<200) func noHiddenCellIsOneSubtractionAwayInRandomTables(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) + 1)
        let rows = Int.random(in: 1...8, using: &random)
        let columns = Int.random(in: 1...6, using: &random)
        var body = (0..<rows).map { _ in
            (0..<columns).map { _ in [0, 0, 1, 2, 3, 4, 5, 6, 9, 20, 150][Int.random(in: 0..<11, using: &random)] }
        }
        body = body.map { $0 + [$0.reduce(0, +)] }
        body.append((0...columns).map { column in body.reduce(0) { $0 + $1[column] } })
        let width = columns + 1
        let sums = StatisticsTable.totalsRow(rows: rows + 1, columns: Array(0...columns))
            + StatisticsTable.withinRows(rows: rows + 1, parts: Array(0..<columns), total: columns)
        let counts = body.flatMap { $0 }
        let constraints = sums.map { sum in
            SmallCountSuppression.Constraint(parts: sum.parts.map { $0.row * width + $0.column }, total: sum.total.row * width + sum.total.column)
        }
        let hidden = SmallCountSuppression(counts: counts, constraints: constraints).hidden()
        for (index, count) in counts.enumerated() where SmallCountSuppression.isSmall(count) {
            #expect(hidden[index], "small count \(count) at \(index) shown")
        }
        for constraint in constraints where !hidden[constraint.total] {
            let hiddenParts = constraint.parts.filter { hidden[$0] }
            #expect(hiddenParts.count != 1, "total \(counts[constraint.total]) minus its visible parts gives \(hiddenParts)")
        }
    }

    @Test func theMedianOfAMonthIsReadFromItsSummedHistogram() {
        var month = LeadHistogram([0: 1, 2: 1])
        month.add(LeadHistogram([4: 1, 5: 2, 6: 2, 7: 1]))
        #expect(month.total == 8 && month.median == 5)
        month.add(LeadHistogram([7: 6]))
        #expect(month.median == 6.5)
        #expect(LeadHistogram([3: 1]).median == 3 && LeadHistogram().median == nil)
    }
}

