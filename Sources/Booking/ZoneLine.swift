/// One zone as a CSV line holds it: the sector's name, the commune, and a street or none.
public struct ZoneLine: Sendable, Hashable {
    public let sectorName: String
    /// The INSEE code, canonical (see `AddressKey.communeCode`).
    public let communeCode: String
    public let communeName: String
    /// Nil for the whole commune.
    public let streetName: String?

    public init(sectorName: String, communeCode: String, communeName: String, streetName: String?) {
        self.sectorName = sectorName
        self.communeCode = communeCode
        self.communeName = communeName
        self.streetName = streetName
    }

    /// What makes two zones the same place: the commune and the street's key.
    public var placeKey: String { communeCode + "|" + AddressKey.of(streetName ?? "") }
}
