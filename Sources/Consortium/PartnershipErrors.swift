import Scheduling
import Tenancy

/// A form of the partnership registry was refused: each problem names its field.
public struct PartnershipInvalid: DomainError {
    public struct Problem: Sendable, Equatable {
        public let field: String
        public let message: String
    }

    public let problems: [Problem]
    public var refusal: Refusal { .invalid }
    public var title: String { "Saisie à corriger" }
    public var french: String { problems.map(\.message).joined(separator: " ") }
}

/// The département, convention, payment, expense or meeting named does not exist.
public struct PartnershipNotFound: DomainError {
    public init() {}
    public var refusal: Refusal { .notFound }
    public var title: String { "Introuvable" }
    public var french: String { "Cette fiche n’existe pas ou plus." }
}

/// Reads what an operator typed, collecting a French message per bad field.
struct FieldChecker {
    private(set) var problems: [PartnershipInvalid.Problem] = []

    mutating func fail(_ field: String, _ message: String) {
        problems.append(.init(field: field, message: message))
    }

    mutating func text(_ field: String, _ raw: String, label: String, maximum: Int = 200) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty { fail(field, "\(label) : à renseigner.") } else if value.count > maximum {
            fail(field, "\(label) : \(maximum) caractères au plus.")
        }
        return value
    }

    mutating func date(_ field: String, _ raw: String, label: String) -> LocalDate? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else {
            fail(field, "\(label) : à renseigner.")
            return nil
        }
        guard let day = LocalDate(iso: value), (1900...2200).contains(day.year) else {
            fail(field, "\(label) : date invalide (jj/mm/aaaa).")
            return nil
        }
        return day
    }

    /// Cents of an amount in euros; `optional` lets it be left empty.
    mutating func amount(_ field: String, _ raw: String, label: String, optional: Bool = false, positive: Bool = false) -> Int? {
        if raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if !optional { fail(field, "\(label) : à renseigner.") }
            return nil
        }
        guard let cents = Euros.parse(raw), !positive || cents > 0 else {
            fail(field, "\(label) : un montant en euros\(positive ? " supérieur à zéro" : ""), par exemple 30 000 ou 1 250,50.")
            return nil
        }
        return cents
    }

    mutating func integer(_ field: String, _ raw: String, label: String, range: ClosedRange<Int>, optional: Bool = false) -> Int? {
        let digits = raw.filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "\u{00A0}" }
        if digits.isEmpty {
            if !optional { fail(field, "\(label) : à renseigner.") }
            return nil
        }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 10, let value = Int(digits), range.contains(value) else {
            fail(field, "\(label) : un nombre entier entre \(range.lowerBound) et \(range.upperBound).")
            return nil
        }
        return value
    }

    func check() throws {
        if !problems.isEmpty { throw PartnershipInvalid(problems: problems) }
    }
}
