/// Amounts of money in integer cents: read from what an operator types, written the French way.
/// No floating point ever touches an amount.
public enum Euros {
    /// The largest amount accepted: a thousand billion euros is already a typing mistake.
    static let maximumCents = 100_000_000_000_000

    /// "30 000,00 €": thin no-break spaces between thousands, a no-break space before the sign.
    public static func format(_ cents: Int) -> String {
        let sign = cents < 0 ? "−" : ""
        let magnitude = Int(cents.magnitude)
        let fraction = magnitude % 100
        return "\(sign)\(grouped(magnitude / 100)),\(fraction < 10 ? "0" : "")\(fraction)\u{00A0}€"
    }

    /// "1 450 000": a whole number with thin no-break spaces between thousands.
    public static func grouped(_ number: Int) -> String {
        var whole = String(number.magnitude)
        var groups: [String] = []
        while whole.count > 3 {
            groups.insert(String(whole.suffix(3)), at: 0)
            whole.removeLast(3)
        }
        groups.insert(whole, at: 0)
        return (number < 0 ? "−" : "") + groups.joined(separator: "\u{202F}")
    }

    /// Cents of "30000", "30 000", "30 000,5", "30000.50 €"; nil when it is not an amount of at most
    /// two decimals, or is negative or absurdly large.
    public static func parse(_ text: String) -> Int? {
        var digits = text.filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "\u{00A0}" }
        if digits.hasSuffix("€") { digits.removeLast() }
        let parts = digits.split(separator: digits.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 13,
              whole.allSatisfy(\.isASCII), let euros = Int(whole), euros >= 0, !whole.hasPrefix("+")
        else { return nil }
        var cents = euros * 100
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(fraction) else {
                return nil
            }
            cents += fraction.count == 1 ? value * 10 : value
        }
        return cents <= maximumCents ? cents : nil
    }

    /// "30000,50": how a form shows an amount back for editing.
    public static func editable(_ cents: Int) -> String {
        let fraction = cents % 100
        return fraction == 0 ? String(cents / 100) : "\(cents / 100),\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
