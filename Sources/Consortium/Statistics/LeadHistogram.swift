/// Days between booking and appointment, as counts per number of days. Histograms of days add up
/// into the histogram of their month, whose median is exact (a median of daily medians is not).
public struct LeadHistogram: Sendable, Hashable {
    /// Appointments per lead time in days.
    public private(set) var counts: [Int: Int]

    public init(_ counts: [Int: Int] = [:]) {
        self.counts = counts.filter { $0.value > 0 }
    }

    public var total: Int { counts.values.reduce(0, +) }

    public mutating func add(_ other: LeadHistogram) {
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    /// The median lead time in days (the mean of the two middle values for an even count); nil
    /// when empty.
    public var median: Double? {
        let total = self.total
        guard total > 0 else { return nil }
        let lower = (total - 1) / 2
        let upper = total / 2
        var seen = 0
        var lowerValue: Int?
        for days in counts.keys.sorted() {
            seen += counts[days]!
            if lowerValue == nil, seen > lower { lowerValue = days }
            if seen > upper { return Double(lowerValue! + days) / 2 }
        }
        return nil
    }
}
