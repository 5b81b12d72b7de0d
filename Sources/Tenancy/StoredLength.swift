extension StringProtocol {
    /// The length PostgreSQL's `length()` gives this text, the unit of our tables' CHECKs:
    /// code points. Swift's `count` counts what a reader sees (a letter and its combining
    /// accents are one), which can be far fewer: a form checked with `count` let the database
    /// refuse what it had accepted (found by scripts/form-fuzz).
    public var storedLength: Int { unicodeScalars.count }
}
