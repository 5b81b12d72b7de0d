import Foundation

/// What a person types when booking online: who the appointment is for, how to reach them, and
/// who booked when a partner (prescripteur) did it for them.
public struct BookingDetails: Codable, Sendable, Hashable {
    /// The person the usager is, or the responsible one when booking for a relative.
    public var firstName: String
    public var lastName: String
    /// E.164.
    public var phone: String?
    public var email: String?
    /// Set when the appointment is for a relative (a child…) of the person above.
    public var relative: Relative?
    public var prescripteur: Prescripteur?

    public struct Relative: Codable, Sendable, Hashable {
        public var firstName: String
        public var lastName: String
        public var birthDate: String?

        public init(firstName: String, lastName: String, birthDate: String?) {
            self.firstName = firstName
            self.lastName = lastName
            self.birthDate = birthDate
        }
    }

    /// A worker of a partner organisation booking on behalf of the usager.
    public struct Prescripteur: Codable, Sendable, Hashable {
        public var name: String
        public var organisation: String
        public var contact: String

        public init(name: String, organisation: String, contact: String) {
            self.name = name
            self.organisation = organisation
            self.contact = contact
        }
    }

    public init(firstName: String, lastName: String, phone: String?, email: String?, relative: Relative? = nil, prescripteur: Prescripteur? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.email = email
        self.relative = relative
        self.prescripteur = prescripteur
    }

    /// The name of the person received.
    public var attendeeLastName: String { relative?.lastName ?? lastName }
}
