/// What an operator typed in the partnership forms, by field name (the same names as the
/// pages' inputs, so that each problem points at its field).
public struct CensusDraft: Sendable {
    public var population = "", censusYear = ""

    public init(_ fields: [String: String]) {
        population = fields["population"] ?? ""
        censusYear = fields["census_year"] ?? ""
    }
}

public struct ConventionDraft: Sendable {
    public var fundingRound = "", kind = "", signedOn = "", startsOn = "", endsOn = "", contributionDueOn = "", agreedContribution = ""

    public init(_ fields: [String: String]) {
        fundingRound = fields["funding_round"] ?? ""
        kind = fields["kind"] ?? ""
        signedOn = fields["signed_on"] ?? ""
        startsOn = fields["starts_on"] ?? ""
        endsOn = fields["ends_on"] ?? ""
        contributionDueOn = fields["contribution_due_on"] ?? ""
        agreedContribution = fields["agreed_contribution"] ?? ""
    }
}

public struct PaymentDraft: Sendable {
    public var paidOn = "", amount = ""

    public init(_ fields: [String: String]) {
        paidOn = fields["paid_on"] ?? ""
        amount = fields["amount"] ?? ""
    }
}

public struct PilotSiteDraft: Sendable {
    public var organisation = "", referent = "", contact = ""

    public init(_ fields: [String: String]) {
        organisation = fields["organisation"] ?? ""
        referent = fields["referent"] ?? ""
        contact = fields["contact"] ?? ""
    }
}

/// The rules form: rates, cap, and tier rows `tier_above_N` / `tier_amount_N` (a row left
/// blank is dropped).
public struct RulesDraft: Sendable {
    public var renewalRate = "", matchRate = "", matchCap = ""
    public var tiers: [(index: Int, above: String, amount: String)] = []

    public init(_ fields: [String: String]) {
        renewalRate = fields["renewal_rate"] ?? ""
        matchRate = fields["match_rate"] ?? ""
        matchCap = fields["match_cap"] ?? ""
        let indexes = fields.keys.compactMap { $0.hasPrefix("tier_above_") ? Int($0.dropFirst("tier_above_".count)) : nil }.sorted()
        tiers = indexes.map { ($0, fields["tier_above_\($0)"] ?? "", fields["tier_amount_\($0)"] ?? "") }
    }
}

public struct ExpenseDraft: Sendable {
    public var spentOn = "", supplier = "", object = "", amount = "", fundingRound = ""

    public init(_ fields: [String: String]) {
        spentOn = fields["spent_on"] ?? ""
        supplier = fields["supplier"] ?? ""
        object = fields["object"] ?? ""
        amount = fields["amount"] ?? ""
        fundingRound = fields["funding_round"] ?? ""
    }
}

/// A committee meeting: attendees are the checked `attendee_<registry id>` boxes.
public struct CommitteeDraft: Sendable {
    public var heldOn = "", kind = "", minutesURL = ""
    public var attendees: [Int] = []

    public init(_ fields: [String: String]) {
        heldOn = fields["held_on"] ?? ""
        kind = fields["kind"] ?? ""
        minutesURL = fields["minutes_url"] ?? ""
        attendees = fields.keys.compactMap { $0.hasPrefix("attendee_") ? Int($0.dropFirst("attendee_".count)) : nil }.sorted()
    }
}
