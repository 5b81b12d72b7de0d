import Foundation

/// What a password must be: long, not common, not made of the account's own email or name.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    let common: Set<String>

    public init(common: Set<String>) {
        self.common = common
    }

    /// The list shipped with this module.
    public static let standard: PasswordPolicy = {
        guard let url = Bundle.module.url(forResource: "Resources/common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("common-passwords.txt is missing from the bundle") }
        let words = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { normalize($0) }
        return PasswordPolicy(common: Set(words))
    }()

    /// Why `password` is refused, in French; empty when it is accepted.
    public func problems(with password: String, email: String?, names: [String]) -> [String] {
        var problems: [String] = []
        if password.count < Self.minimumLength {
            problems.append("Le mot de passe doit compter au moins \(Self.minimumLength) caractères.")
        }
        let folded = Self.normalize(password)
        let core = folded.trimmingCharacters(in: CharacterSet.alphanumerics.inverted.union(.decimalDigits))
        if common.contains(folded) || common.contains(core) || Self.isMonotonous(folded) {
            problems.append("Ce mot de passe est trop courant : choisissez-en un moins prévisible, par exemple une phrase de plusieurs mots.")
        }
        var personal = names.map(Self.normalize).filter { $0.count >= 3 }
        if let email {
            let local = Self.normalize(String(email.split(separator: "@").first ?? ""))
            personal.append(Self.normalize(email))
            personal += local.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 3 }
        }
        if personal.contains(where: { folded.contains($0) }) {
            problems.append("Le mot de passe ne doit contenir ni votre adresse électronique ni votre nom.")
        }
        return problems
    }

    /// Lower case, accents removed: "Été" and "ete" are one word for this check.
    static func normalize(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
    }

    /// "aaaaaaaaaaaa", "123412341234": one short pattern repeated.
    static func isMonotonous(_ text: String) -> Bool {
        let characters = Array(text)
        guard !characters.isEmpty else { return true }
        for period in 1...4 where characters.count >= period * 3 {
            if characters.indices.allSatisfy({ characters[$0] == characters[$0 % period] }) { return true }
        }
        return false
    }
}
