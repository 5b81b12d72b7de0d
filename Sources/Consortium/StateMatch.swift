import Scheduling

/// The State's match over one funding round: for each payment a collectivity made, the State
/// adds `matchRatePercent` of it (rounded down to the cent) until the round's cap is reached.
///
/// Order matters once the cap is near: payments are matched in the order the money came in,
/// by payment date, and on the same date in the order they were recorded (their id). The
/// payment that reaches the cap gets the part that still fits; later ones get nothing.
public struct StateMatch: Sendable {
    /// Money a département paid towards one of its conventions.
    public struct Payment: Sendable, Equatable {
        public let id: Int
        public let tenantID: Int
        public let paidOn: LocalDate
        public let amountCents: Int

        public init(id: Int, tenantID: Int, paidOn: LocalDate, amountCents: Int) {
            self.id = id
            self.tenantID = tenantID
            self.paidOn = paidOn
            self.amountCents = amountCents
        }
    }

    /// One payment and what the State adds to it.
    public struct Line: Sendable, Equatable {
        public let payment: Payment
        /// What the matching rate alone would give.
        public let eligibleCents: Int
        /// What the State adds, once the cap is taken into account.
        public let matchedCents: Int
    }

    /// In matching order.
    public let lines: [Line]
    public let capCents: Int

    public init(payments: [Payment], matchRatePercent: Int, capCents: Int) {
        let ordered = payments.sorted { ($0.paidOn, $0.id) < ($1.paidOn, $1.id) }
        var matched = 0
        var lines: [Line] = []
        for payment in ordered {
            let eligible = payment.amountCents * matchRatePercent / 100
            let added = max(0, min(eligible, capCents - matched))
            matched += added
            lines.append(Line(payment: payment, eligibleCents: eligible, matchedCents: added))
        }
        self.lines = lines
        self.capCents = capCents
    }

    /// All the new money of the round.
    public var newMoneyCents: Int { lines.reduce(0) { $0 + $1.payment.amountCents } }
    public var matchedCents: Int { lines.reduce(0) { $0 + $1.matchedCents } }
    /// What the State may still add in this round.
    public var remainingCents: Int { max(0, capCents - matchedCents) }

    /// What the State adds to one département's payments.
    public func matchedCents(tenantID: Int) -> Int {
        lines.filter { $0.payment.tenantID == tenantID }.reduce(0) { $0 + $1.matchedCents }
    }

    /// What the State adds to the given payments.
    public func matchedCents(paymentIDs: Set<Int>) -> Int {
        lines.filter { paymentIDs.contains($0.payment.id) }.reduce(0) { $0 + $1.matchedCents }
    }
}
