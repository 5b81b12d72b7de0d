import Testing
@testable import Booking

@Suite struct AddressKeyTests {
    @Test func foldsCaseAccentsLigaturesAndPunctuation() {
        #expect(AddressKey.of("Rue Saint-Étienne") == "rue saint etienne")
        #expect(AddressKey.of("  RUE   saint’ÉTIENNE ") == "rue saint etienne")
        #expect(AddressKey.of("Place de l'Œuvre") == "place de l oeuvre")
        #expect(AddressKey.of("Chemin de l’Abbaye") == AddressKey.of("chemin de l abbaye"))
        #expect(AddressKey.of("Boulogne-sur-Mer") == "boulogne sur mer")
        #expect(AddressKey.of("Allée des Cœurs—Unis") == "allee des coeurs unis")
        #expect(AddressKey.of("Rue du 8 Mai 1945") == "rue du 8 mai 1945")
        #expect(AddressKey.of("Çà et là, ÎLE") == "ca et la ile")
    }

    @Test func keepsSaintAndStAsTyped() {
        #expect(AddressKey.of("St-Omer") == "st omer")
        #expect(AddressKey.of("Saint-Omer") == "saint omer")
        #expect(AddressKey.of("St. Omer") == "st omer")
    }

    @Test func punctuationAloneHasAnEmptyKey() {
        #expect(AddressKey.of(" - ’ . ").isEmpty)
        #expect(AddressKey.of("").isEmpty)
    }

    @Test func communeCodesAreFiveCharactersOfADepartement() {
        #expect(AddressKey.communeCode("62041") == "62041")
        #expect(AddressKey.communeCode(" 2a004 ") == "2A004")
        #expect(AddressKey.communeCode("2B033") == "2B033")
        #expect(AddressKey.communeCode("97411") == "97411")
        #expect(AddressKey.communeCode("6204") == nil)
        #expect(AddressKey.communeCode("620411") == nil)
        #expect(AddressKey.communeCode("2C004") == nil)
        #expect(AddressKey.communeCode("AB123") == nil)
        #expect(AddressKey.communeCode("62O41") == nil)
        #expect(AddressKey.communeCode("６２０４１") == nil)
    }
}
