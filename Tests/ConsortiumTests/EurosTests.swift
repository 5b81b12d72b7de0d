import Consortium
import Testing

@Suite struct EurosTests {
    @Test func amountsAreWrittenTheFrenchWay() {
        #expect(Euros.format(3_000_000) == "30\u{202F}000,00\u{00A0}€")
        #expect(Euros.format(2_700_050) == "27\u{202F}000,50\u{00A0}€")
        #expect(Euros.format(20_000_000) == "200\u{202F}000,00\u{00A0}€")
        #expect(Euros.format(5) == "0,05\u{00A0}€")
        #expect(Euros.format(123_456_789_01) == "123\u{202F}456\u{202F}789,01\u{00A0}€")
    }

    @Test(arguments: [
        ("30000", 3_000_000), ("30 000", 3_000_000), ("30\u{202F}000,5", 3_000_050), ("27000.50", 2_700_050), ("1 250,05 €", 125_005), ("0", 0),
    ])
    func amountsAreReadWithoutFloatingPoint(text: String, cents: Int) {
        #expect(Euros.parse(text) == cents)
    }

    @Test(arguments: ["", "-5", "12,345", "douze", "1e5", "1,2,3", "+5", "١٢", "99999999999999"])
    func whatIsNotAnAmountIsRefused(text: String) {
        #expect(Euros.parse(text) == nil)
    }

    @Test func populationsAreGroupedByThousands() {
        #expect(Euros.grouped(1_450_000) == "1\u{202F}450\u{202F}000")
        #expect(Euros.grouped(885) == "885")
    }

    @Test func anAmountComesBackForEditingAsItWouldBeTyped() {
        #expect(Euros.editable(3_000_000) == "30000")
        #expect(Euros.editable(2_700_005) == "27000,05")
        #expect(Euros.parse(Euros.editable(2_700_005)) == 2_700_005)
    }
}
