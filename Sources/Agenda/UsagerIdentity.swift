import Foundation
import Scheduling
import Tenancy

/// A usager's identity and contact details as an agent, a form or the API gives them, checked
/// once here: names of 1 to 100 characters, a birth date, a French phone, a plausible email.
public struct UsagerIdentity: Sendable, Hashable {
    public var firstName: String
    public var lastName: String
    public var birthDate: LocalDate?
    /// E.164, as stored.
    public var phone: String?
    public var email: String?

    /// The identity from raw texts (empty means absent), or each field's error in French,
    /// keyed `first_name`, `last_name`, `birth_date`, `phone`, `email`.
    public static func read(
        firstName: String, lastName: String, birthDate: String = "", phone: String = "", email: String = ""
    ) -> (identity: UsagerIdentity?, errors: [(field: String, message: String)]) {
        let first = firstName.trimmingCharacters(in: .whitespaces), last = lastName.trimmingCharacters(in: .whitespaces)
        let birthText = birthDate.trimmingCharacters(in: .whitespaces), phoneText = phone.trimmingCharacters(in: .whitespaces)
        let email = email.trimmingCharacters(in: .whitespaces)
        var errors: [(field: String, message: String)] = []
        if !(1...100).contains(first.storedLength) { errors.append(("first_name", "Le prénom est obligatoire (100 caractères au plus).")) }
        if !(1...100).contains(last.storedLength) { errors.append(("last_name", "Le nom est obligatoire (100 caractères au plus).")) }
        let birth = LocalDate(iso: birthText)
        if !birthText.isEmpty, birth == nil { errors.append(("birth_date", "La date de naissance s’écrit AAAA-MM-JJ.")) }
        let number = PhoneNumber(phoneText)
        if !phoneText.isEmpty, number == nil {
            errors.append(("phone", "Le numéro de téléphone n’est pas un numéro français valide (par exemple 06 12 34 56 78)."))
        }
        if !email.isEmpty, !looksLikeEmail(email) { errors.append(("email", "L’adresse électronique n’est pas valide.")) }
        guard errors.isEmpty else { return (nil, errors) }
        return (UsagerIdentity(firstName: first, lastName: last, birthDate: birth, phone: number?.e164, email: email.isEmpty ? nil : email), [])
    }

    public static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }
}

extension Usager {
    /// The identity and contact details as the record shows them, for a change of some of them.
    public var identityTexts: [String: String] {
        [
            "first_name": firstName, "last_name": lastName, "birth_date": birthDate?.description ?? "",
            "phone": phone ?? "", "email": email ?? "",
        ]
    }

    /// Takes a checked identity: names, birth date and contact details (what the record edits).
    public mutating func apply(_ identity: UsagerIdentity) {
        firstName = identity.firstName
        lastName = identity.lastName
        birthDate = identity.birthDate
        phone = identity.phone
        email = identity.email
    }
}

/// A usager's postal address as services write it: free text on one line (the lines of a
/// spreadsheet's cell joined by commas), 300 characters at most; empty means none.
public enum UsagerAddress {
    public static let maximumLength = 300
    public static let tooLong = "L’adresse postale compte 300 caractères au plus."

    /// The address to store (nil for none), or the French reason it is refused.
    public static func read(_ text: String) -> Result<String?, UsagerAddressError> {
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: ", ")
        guard line.storedLength <= maximumLength else { return .failure(UsagerAddressError()) }
        return .success(line.isEmpty ? nil : line)
    }
}

public struct UsagerAddressError: Error, Sendable {
    public var message: String { UsagerAddress.tooLong }
}
