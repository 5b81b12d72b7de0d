import Testing
@testable import Booking

@Suite struct ZoneCSVTests {
    @Test func readsSemicolonsQuotesBOMAndCRLF() throws {
        let text = "\u{FEFF}secteur;code_insee;commune;voie\r\n"
            + "Arrageois;62041;Arras;\r\n"
            + "\"Centre; gare\";62041;Arras;\"Rue \"\"Gambetta\"\"\"\r\n"
            + "\r\n"
            + "Corse;2a004;Ajaccio;Cours Napoléon\r\n"
        let zones = try ZoneCSV.parse(text)
        #expect(zones == [
            ZoneLine(sectorName: "Arrageois", communeCode: "62041", communeName: "Arras", streetName: nil),
            ZoneLine(sectorName: "Centre; gare", communeCode: "62041", communeName: "Arras", streetName: "Rue \"Gambetta\""),
            ZoneLine(sectorName: "Corse", communeCode: "2A004", communeName: "Ajaccio", streetName: "Cours Napoléon"),
        ])
    }

    @Test func readsCommasWhenTheHeaderUsesThemAndAMissingLastField() throws {
        let zones = try ZoneCSV.parse("Secteur,Code INSEE,Commune,Voie\nLensois,62498,Lens\nLensois,62498,Lens,\"Rue de Lille, bis\"")
        #expect(zones.map(\.streetName) == [nil, "Rue de Lille, bis"])
    }

    @Test func reportsEveryBadLineWithItsNumberAndNothingElse() {
        let text = """
            secteur;code_insee;commune;voie
            Arrageois;62041;Arras;
            ;62041;Arras;Rue Gambetta
            Lensois;6249;Lens;
            Lensois;62498;Lens;;trop
            Boulonnais;62160;;Rue Faidherbe
            Autre;62041;Arras;
            Arrageois;62041;ARRAS;
            """
        #expect(throws: ZoneCSVError([
            .init(line: 3, reason: "Le nom du secteur est vide."),
            .init(line: 4, reason: "Le code INSEE « 6249 » n’est pas valide : il compte 5 caractères, par exemple 62041 ou 2A004. Le tableur a peut-être retiré le zéro du début."),
            .init(line: 5, reason: "La ligne compte 5 champs au lieu de 4 (secteur, code INSEE, commune, voie)."),
            .init(line: 6, reason: "Le nom de la commune est vide."),
            .init(line: 7, reason: "La commune Arras (62041) figure déjà ligne 2 dans un autre secteur."),
        ])) {
            try ZoneCSV.parse(text)
        }
    }

    @Test func aStreetDiffersFromItsCommuneButNotFromItsOtherSpelling() {
        let text = "secteur;code_insee;commune;voie\nA;62041;Arras;\nB;62041;Arras;Rue Saint-Géry\nC;62041;Arras;rue saint gery\n"
        #expect(throws: ZoneCSVError([.init(line: 4, reason: "La voie « rue saint gery » de Arras figure déjà ligne 3 dans un autre secteur.")])) {
            try ZoneCSV.parse(text)
        }
    }

    @Test func refusesAWrongHeaderAnOpenQuoteAndAnEmptyFile() {
        #expect(throws: ZoneCSVError([.init(line: 1, reason: "La première ligne doit être l’en-tête « secteur;code_insee;commune;voie ».")])) {
            try ZoneCSV.parse("nom;code;commune\nA;62041;Arras")
        }
        #expect(throws: ZoneCSVError([.init(line: 3, reason: "Un guillemet ouvert n’est jamais refermé.")])) {
            try ZoneCSV.parse("secteur;code_insee;commune;voie\nA;62041;Arras;\n\"B;62041;Arras;Rue\n")
        }
        #expect(throws: ZoneCSVError([.init(line: 2, reason: "Le fichier ne contient aucune zone après l’en-tête.")])) {
            try ZoneCSV.parse("secteur;code_insee;commune;voie\r\n\r\n")
        }
    }

    @Test func countsLinesInsideQuotedFields() {
        let text = "secteur;code_insee;commune;voie\n\"Nord\nEst\";62041;Arras;\nB;1;Lens;\n"
        #expect(throws: ZoneCSVError([.init(line: 4, reason: "Le code INSEE « 1 » n’est pas valide : il compte 5 caractères, par exemple 62041 ou 2A004.")])) {
            try ZoneCSV.parse(text)
        }
    }

    @Test func writtenZonesReadBackTheSame() throws {
        let zones = [
            ZoneLine(sectorName: "Nord; centre", communeCode: "62041", communeName: "Arras", streetName: nil),
            ZoneLine(sectorName: "Le \"Sud\"", communeCode: "2B033", communeName: "Bastia", streetName: "Boulevard Paoli, côté mer"),
            ZoneLine(sectorName: " Est ", communeCode: "97411", communeName: "Saint-Denis", streetName: "Rue de Paris"),
        ]
        let text = ZoneCSV.write(zones)
        #expect(text.hasPrefix("secteur;code_insee;commune;voie\r\n"))
        #expect(try ZoneCSV.parse(text) == zones)
    }
}
