import Agenda
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("06 12 34 56 78", "+33612345678", true),
        ("01.23.45.67.89", "+33123456789", false),
        ("+33 7 12 34 56 78", "+33712345678", true),
        ("0033612345678", "+33612345678", true),
        ("0692 12 34 56", "+262692123456", true),
        ("0262 12 34 56", "+262262123456", false),
        ("0639 01 02 03", "+262639010203", true),
        ("0690 11 22 33", "+590690112233", true),
        ("0694 11 22 33", "+594694112233", true),
        ("0696 11 22 33", "+596696112233", true),
        ("+262 692 12 34 56", "+262692123456", true),
    ])
    func frenchAndOverseasNumbersBecomeE164(text: String, e164: String, mobile: Bool) {
        let number = PhoneNumber(text)
        #expect(number?.e164 == e164)
        #expect(number?.isMobile == mobile)
    }

    @Test(arguments: ["", "06 12 34 56", "06123456789", "6 12 34 56 78", "+44 20 7946 0958", "06 12 34 56 7a", "+33 06 12 34 56 78", "00 00 00 00 00"])
    func otherTextIsRefused(text: String) {
        #expect(PhoneNumber(text) == nil)
    }
}
