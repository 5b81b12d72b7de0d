/// What the confirmation and manage pages say of one appointment.
struct AppointmentSummary: PageModel {
    let motifName: String
    let when: String
    let attendee: String
    let location: String
    let status: String
    let cancelled: Bool
    let lieuName: String?
    let lieuAddress: String?
    let instructions: String?
    let videoLink: String?
}

/// A page about one appointment, whose fields sit at the top level where the template reads them.
protocol AppointmentPage: PageModel {
    var appointment: AppointmentSummary { get }
}

extension AppointmentPage {
    var templateValues: [String: Any] {
        var values = reflectedValues
        values["appointment"] = nil
        return values.merging(appointment.templateValues) { mine, _ in mine }
    }
}

/// The page a usager reaches through the link of their messages (`manage.mustache`).
struct ManagePage: AppointmentPage {
    struct MoveSlot: PageModel {
        let label: String
        /// The slot's start, seconds since 1970, as the form sends it back.
        let debut: String
    }

    let appointment: AppointmentSummary
    let pageTitle: String
    /// The first letters of the name, carried by every form of the page.
    let check: String
    var notice: String?
    var errors: [String]
    var canCancel = false
    var cannotCancel: String?
    var cannotMove: String?
    var canMove = false
    var moveSlots: [MoveSlot] = []
    var canDownload = false
    var canWait = false
}

/// The page shown once a booking is confirmed (`booking_done.mustache`).
struct BookedPage: AppointmentPage {
    let appointment: AppointmentSummary
    let pageTitle: String
    let icsLink: String
    let manageLink: String
    /// Where the confirmation went.
    let sentTo: String
}
