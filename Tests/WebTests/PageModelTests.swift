import Testing
@testable import Web

/// Typed page models become what the templates read: absent optionals stay closed sections.
@Suite struct PageModelTests {
    struct Row: PageModel {
        let label: String
    }

    struct Sample: PageModel {
        let title: String
        let note: String?
        let missing: String?
        let rows: [Row]
        let open: Bool
    }

    @Test func storedPropertiesBecomeTemplateValues() {
        let values = Sample(title: "Titre", note: "Note", missing: nil, rows: [Row(label: "a"), Row(label: "b")], open: false).templateValues
        #expect(values["title"] as? String == "Titre")
        #expect(values["note"] as? String == "Note")
        #expect(values.keys.contains("missing") == false)
        #expect((values["rows"] as? [[String: Any]])?.compactMap { $0["label"] as? String } == ["a", "b"])
        #expect(values["open"] as? Bool == false)
    }

    @Test func theManagePageLiftsItsAppointmentToTheTopLevel() {
        let summary = AppointmentSummary(
            motifName: "Consultation", when: "lundi", attendee: "Léa Martin", location: "Sur place", status: "à venir", cancelled: false,
            lieuName: nil, lieuAddress: nil, instructions: "Carnet", videoLink: nil
        )
        let values = ManagePage(appointment: summary, pageTitle: "Mon rendez-vous", check: "Mar", errors: []).templateValues
        #expect(values["motifName"] as? String == "Consultation")
        #expect(values["pageTitle"] as? String == "Mon rendez-vous")
        #expect(values["appointment"] == nil)
        #expect(values["lieuName"] == nil)
        #expect(values["instructions"] as? String == "Carnet")
    }
}
