import Notifications
import Testing

@Suite struct SMSTextTests {
    @Test func gsm7TextsFit160CharactersThen153PerSegment() {
        let full = SMSText.count(String(repeating: "a", count: 160))
        #expect(full.encoding == .gsm7 && full.units == 160 && full.segments == 1)
        #expect(SMSText.count(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText.count(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.count(String(repeating: "a", count: 307)).segments == 3)
        #expect(SMSText.count("").segments == 1)
    }

    @Test func extensionCharactersCostTwoSeptets() {
        #expect(SMSText.count("10 €").units == 5)
        #expect(SMSText.count(String(repeating: "€", count: 80)).segments == 1)
        #expect(SMSText.count(String(repeating: "€", count: 81)).segments == 2)
    }

    @Test func oneCharacterOutsideGSM7MakesTheWholeTextUCS2() {
        let text = "Rendez-vous à l’accueil"
        #expect(SMSText.count(text).encoding == .ucs2)
        #expect(SMSText.count(String(repeating: "ê", count: 70)).segments == 1)
        #expect(SMSText.count(String(repeating: "ê", count: 71)).segments == 2)
        #expect(SMSText.count(String(repeating: "ê", count: 134)).segments == 2)
        #expect(SMSText.count(String(repeating: "ê", count: 135)).segments == 3)
        #expect(SMSText.count("🙂").units == 2, "outside the BMP: two UTF-16 units")
    }

    @Test func plainTextKeepsFrenchInOneGSM7Segment() {
        let reminder = "Rappel : rendez-vous « Consultation » lundi 30 novembre à 9 h 30, Maison du Département. Pour annuler : https://pas-de-calais.rdv.example/g/abc — merci d’avance."
        #expect(SMSText.count(reminder).encoding == .ucs2)
        let plain = SMSText.plain(reminder)
        #expect(SMSText.count(plain).encoding == .gsm7 && SMSText.count(plain).segments == 1 && SMSText.count(reminder).segments == 3)
        #expect(plain.contains("d'avance") && plain.contains("\"Consultation\"") && plain.contains("à 9 h 30") && plain.contains("Département"))
        #expect(SMSText.plain("Rendez-vous de Zoë Ωμέγα") == "Rendez-vous de Zoë Ωμέγα", "no trade when UCS-2 stays anyway")
    }
}
