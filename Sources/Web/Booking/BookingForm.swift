import Agenda
import Booking
import Foundation
import Scheduling

/// Reads the "who is it for, how to reach you" form of the booking flow, with each error tied
/// to its field so that the page can link the summary to the fields.
enum BookingForm {
    /// The details, the address to send the code to, or the errors as (field, message).
    static func details(from fields: [String: String]) -> (BookingDetails?, String?, [(String, String)]) {
        func text(_ key: String, max: Int = 100) -> String { String((fields[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(max + 1)) }
        var errors: [(String, String)] = []
        let first = text("prenom"), last = text("nom")
        if !(1...100).contains(first.storedLength) { errors.append(("prenom", "Indiquez votre prénom.")) }
        if !(1...100).contains(last.storedLength) { errors.append(("nom", "Indiquez votre nom.")) }
        let phoneText = text("telephone", max: 30)
        let phone = PhoneNumber(phoneText)
        if !phoneText.isEmpty, phone == nil { errors.append(("telephone", "Ce numéro n’est pas un numéro français valide (par exemple 06 12 34 56 78).")) }
        let email = text("email", max: 254)
        if !email.isEmpty, !UsagerRecordRoutes.looksLikeEmail(email) { errors.append(("email", "Cette adresse électronique n’est pas valide (par exemple nom@exemple.fr).")) }
        var relative: BookingDetails.Relative?
        if fields["pour"] == "proche" {
            let relativeFirst = text("proche_prenom"), relativeLast = text("proche_nom"), birth = text("proche_naissance", max: 10)
            if !(1...100).contains(relativeFirst.count) { errors.append(("proche_prenom", "Indiquez le prénom de la personne reçue.")) }
            if !(1...100).contains(relativeLast.count) { errors.append(("proche_nom", "Indiquez le nom de la personne reçue.")) }
            if !birth.isEmpty, LocalDateCheck.isPast(birth) == false { errors.append(("proche_naissance", "La date de naissance s’écrit JJ/MM/AAAA et se situe dans le passé.")) }
            relative = .init(firstName: relativeFirst, lastName: relativeLast, birthDate: birth.isEmpty ? nil : LocalDateCheck.iso(birth))
        }
        var prescripteur: BookingDetails.Prescripteur?
        if fields["prescripteur"] == "on" {
            let name = text("prescripteur_nom"), organisation = text("prescripteur_structure", max: 200), contact = text("prescripteur_contact", max: 254)
            if name.isEmpty { errors.append(("prescripteur_nom", "Indiquez votre nom de professionnel.")) }
            if organisation.isEmpty { errors.append(("prescripteur_structure", "Indiquez votre structure.")) }
            if !UsagerRecordRoutes.looksLikeEmail(contact), PhoneNumber(contact) == nil {
                errors.append(("prescripteur_contact", "Indiquez votre adresse électronique ou votre téléphone professionnel."))
            }
            prescripteur = .init(name: name, organisation: organisation, contact: contact)
        }
        // The code goes to the person's email, or to the partner's, or by SMS to the person's mobile.
        let confirmation = !email.isEmpty ? email
            : prescripteur.flatMap { UsagerRecordRoutes.looksLikeEmail($0.contact) ? $0.contact : nil }
            ?? (phone?.isMobile == true ? phone?.e164 : nil)
        if confirmation == nil, !errors.contains(where: { $0.0 == "email" || $0.0 == "telephone" }) {
            errors.append(("email", "Indiquez une adresse électronique ou un téléphone portable : le code qui confirme le rendez-vous y sera envoyé."))
        }
        guard errors.isEmpty, let confirmation else { return (nil, nil, errors) }
        let details = BookingDetails(
            firstName: first, lastName: last, phone: phone?.e164, email: email.isEmpty ? nil : email, relative: relative, prescripteur: prescripteur
        )
        return (details, confirmation, [])
    }
}

/// Birth dates as people type them (JJ/MM/AAAA) or as date fields send them (AAAA-MM-JJ).
enum LocalDateCheck {
    static func iso(_ text: String) -> String? {
        if let date = LocalDate(iso: text) { return date.description }
        let parts = text.split(whereSeparator: { "/.-".contains($0) }).compactMap { Int($0) }
        guard parts.count == 3, let date = LocalDate(year: parts[2], month: parts[1], day: parts[0]) else { return nil }
        return date.description
    }

    static func isPast(_ text: String) -> Bool? {
        guard let iso = iso(text), let date = LocalDate(iso: iso) else { return false }
        let today = LocalDate(dayNumber: Int(Date().timeIntervalSince1970 / 86_400) + LocalDate(year: 1970, month: 1, day: 1)!.dayNumber)
        return date < today && date.year > 1900
    }
}
