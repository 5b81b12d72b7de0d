import Booking
import Foundation
import Hummingbird
import Scheduling

/// Where a person stands in the booking flow. Every step is a plain link or a GET form carrying
/// the choices made so far in the query, so the flow works without JavaScript, survives the
/// back button and can be bookmarked.
struct BookingFlow: Sendable, Hashable {
    var communeCode: String?
    var communeName: String?
    var street: String?
    var serviceID: UUID?
    var motifID: UUID?
    var lieuID: UUID?
    var week: LocalDate?
    var start: Date?

    init() {}

    init(query: [String: String]) {
        communeCode = query["commune"].flatMap(AddressKey.communeCode)
        communeName = query["commune_nom"].map { String($0.prefix(100)) }
        street = query["voie"].map { String($0.trimmingCharacters(in: .whitespaces).prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        serviceID = query["service"].flatMap(UUID.init(uuidString:))
        motifID = query["motif"].flatMap(UUID.init(uuidString:))
        lieuID = query["lieu"].flatMap(UUID.init(uuidString:))
        week = query["semaine"].flatMap(LocalDate.init(iso:))
        start = query["debut"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }

    init(request: Request) {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        self.init(query: query)
    }

    var address: BookingAddress? {
        communeCode.map { BookingAddress(communeCode: $0, communeName: communeName ?? $0, street: street) }
    }

    /// The query that carries this state (the fields set, in a fixed order).
    var items: [(String, String)] {
        var items: [(String, String)] = []
        if let communeCode { items.append(("commune", communeCode)) }
        if let communeName { items.append(("commune_nom", communeName)) }
        if let street { items.append(("voie", street)) }
        if let serviceID { items.append(("service", serviceID.uuidString)) }
        if let motifID { items.append(("motif", motifID.uuidString)) }
        if let lieuID { items.append(("lieu", lieuID.uuidString)) }
        if let week { items.append(("semaine", week.description)) }
        if let start { items.append(("debut", String(Int(start.timeIntervalSince1970)))) }
        return items
    }

    func url(_ path: String = "/prendre-rdv") -> String {
        var components = URLComponents()
        components.path = path
        components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` would read as a space in a query.
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return query.isEmpty ? path : "\(path)?\(query)"
    }

    /// Hidden fields that carry this state in a POST form.
    var hiddenFields: [[String: String]] { items.map { ["name": $0.0, "value": $0.1] } }

    func with(_ change: (inout BookingFlow) -> Void) -> BookingFlow {
        var copy = self
        change(&copy)
        return copy
    }
}
