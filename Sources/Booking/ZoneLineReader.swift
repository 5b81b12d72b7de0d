/// Checks the records of a zones file one by one, keeping the good zones and the reasons of the bad.
struct ZoneLineReader {
    private(set) var zones: [ZoneLine] = []
    private(set) var issues: [ZoneCSVError.Issue] = []
    /// Line and sector key of each place seen, to refuse a place given to two sectors.
    private var seen: [String: (line: Int, sectorKey: String)] = [:]

    mutating func read(_ record: CSVRecords.Record) {
        let line = record.line
        guard (3...4).contains(record.fields.count) else {
            issues.append(.init(line: line, reason: "La ligne compte \(record.fields.count) champ\(record.fields.count > 1 ? "s" : "") au lieu de 4 (secteur, code INSEE, commune, voie)."))
            return
        }
        let sector = record.fields[0], code = record.fields[1], commune = record.fields[2]
        let street = record.fields.count == 4 ? record.fields[3] : ""
        var reasons: [String] = []
        if AddressKey.of(sector).isEmpty { reasons.append("Le nom du secteur est vide.") }
        if sector.storedLength > 200 { reasons.append("Le nom du secteur dépasse 200 caractères.") }
        let canonicalCode = AddressKey.communeCode(code)
        if canonicalCode == nil { reasons.append(Self.badCode(code)) }
        if AddressKey.of(commune).isEmpty { reasons.append("Le nom de la commune est vide.") }
        if commune.storedLength > 200 { reasons.append("Le nom de la commune dépasse 200 caractères.") }
        if !street.isEmpty, AddressKey.of(street).isEmpty { reasons.append("Le nom de la voie ne contient ni lettre ni chiffre.") }
        if street.storedLength > 300 { reasons.append("Le nom de la voie dépasse 300 caractères.") }
        guard reasons.isEmpty, let canonicalCode else {
            issues += reasons.map { .init(line: line, reason: $0) }
            return
        }
        let zone = ZoneLine(sectorName: sector, communeCode: canonicalCode, communeName: commune, streetName: street.isEmpty ? nil : street)
        let sectorKey = AddressKey.of(sector)
        if let earlier = seen[zone.placeKey] {
            if earlier.sectorKey != sectorKey {
                let place = street.isEmpty ? "La commune \(commune) (\(canonicalCode))" : "La voie « \(street) » de \(commune)"
                issues.append(.init(line: line, reason: "\(place) figure déjà ligne \(earlier.line) dans un autre secteur."))
            }
            return
        }
        seen[zone.placeKey] = (line, sectorKey)
        zones.append(zone)
    }

    static func badCode(_ code: String) -> String {
        if code.isEmpty { return "Le code INSEE est vide." }
        let hint = code.count == 4 && code.allSatisfy(\.isASCIIDigit) ? " Le tableur a peut-être retiré le zéro du début." : ""
        return "Le code INSEE « \(code) » n’est pas valide : il compte 5 caractères, par exemple 62041 ou 2A004.\(hint)"
    }
}
