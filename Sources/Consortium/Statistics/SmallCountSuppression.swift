/// Statistical secrecy for published counts: a count below five (and above zero) is never shown,
/// and cannot be found again by subtracting the visible cells of a sum from its total.
///
/// A table is a list of counts and a list of additive constraints (these parts add up to that
/// total, both published). Primary suppression hides every count in 1...4; secondary
/// suppression then looks at each constraint whose total is visible: if exactly one of its
/// parts is hidden, `total − visible parts` would give it back, so the smallest other part is
/// hidden too (a non-zero one first, as a hidden zero protects nothing a reader cannot guess).
/// When no part is left to hide, the total itself is hidden. This repeats until no constraint
/// has exactly one hidden part, since each new hidden cell may break another constraint.
public struct SmallCountSuppression: Sendable {
    /// Parts that add up to a total; indexes into the table's counts.
    public struct Constraint: Sendable, Hashable {
        public let parts: [Int]
        public let total: Int

        public init(parts: [Int], total: Int) {
            self.parts = parts
            self.total = total
        }
    }

    /// Counts from 1 to `threshold − 1` are hidden.
    public static let threshold = 5

    public let counts: [Int]
    public let constraints: [Constraint]

    public init(counts: [Int], constraints: [Constraint]) {
        self.counts = counts
        self.constraints = constraints
    }

    /// Whether a count is small enough to be hidden for itself.
    public static func isSmall(_ count: Int) -> Bool { count > 0 && count < threshold }

    /// Which counts are hidden, primary and secondary.
    public func hidden() -> [Bool] {
        var hidden = counts.map(Self.isSmall)
        var changed = true
        while changed {
            changed = false
            for constraint in constraints where !hidden[constraint.total] {
                let hiddenParts = constraint.parts.filter { hidden[$0] }
                guard hiddenParts.count == 1 else { continue }
                if let complement = complement(in: constraint, hidden: hidden) {
                    hidden[complement] = true
                } else {
                    hidden[constraint.total] = true
                }
                changed = true
            }
        }
        return hidden
    }

    /// The smallest visible part, non-zero first; nil when every other part is hidden already.
    private func complement(in constraint: Constraint, hidden: [Bool]) -> Int? {
        let candidates = constraint.parts.filter { !hidden[$0] }
        let nonZero = candidates.filter { counts[$0] > 0 }
        return (nonZero.isEmpty ? candidates : nonZero).min { (counts[$0], $0) < (counts[$1], $1) }
    }
}
