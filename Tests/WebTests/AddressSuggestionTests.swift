import Booking
import Foundation
import HTTPTypes
import Testing
import TestSupport
@testable import Tenancy

@Suite struct AddressSuggestionTests {
    @Test func suggestionsNeedNoSignInIgnoreAccentsAndStayInTheirDepartement() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let other = try await world.makeTenant()
            try await world.database.tenant(tenant).transaction { connection in
                let sectors = SectorRepository(connection)
                let sector = try await sectors.ensure(named: "Sud")
                _ = try await sectors.addZone(to: sector.id, communeCode: "26198", communeName: "Montélimar", streetName: nil)
                _ = try await sectors.addZone(to: sector.id, communeCode: "26198", communeName: "Montélimar", streetName: "Allée de l’Étang")
                _ = try await sectors.addZone(to: sector.id, communeCode: "26198", communeName: "Montélimar", streetName: "Rue Pierre-Julien")
                for number in 1...12 {
                    _ = try await sectors.addZone(to: sector.id, communeCode: "26198", communeName: "Montélimar", streetName: "Impasse \(number)")
                }
            }
            try await world.withLiveApp { app in
                let host = "\(tenant.slug).rdv.test"
                let communes = try await app.get("/adresse/communes?q=MONTELI", host: host)
                #expect(communes.status == .ok && communes.headers[.contentType] == "application/json; charset=utf-8")
                #expect(communes.text == #"[{"code":"26198","nom":"Montélimar"}]"#)
                #expect(try await app.get("/adresse/communes?q=m", host: host).text == "[]")
                #expect(try await app.get("/adresse/communes?q=", host: host).text == "[]")
                #expect(try await app.get("/adresse/voies?commune=26198&q=etang", host: host).text == #"["Allée de l’Étang"]"#)
                let many = try JSONDecoder().decode([String].self, from: Data(try await app.get("/adresse/voies?commune=26198&q=impasse", host: host).text.utf8))
                #expect(many.count == 10)
                #expect(try await app.get("/adresse/voies?commune=26198&q=e", host: host).text == "[]")
                let missing = try await app.get("/adresse/voies?q=rue", host: host, headers: [.accept: "application/json"])
                #expect(missing.status == .badRequest && missing.text.contains("Indiquez le code INSEE de la commune"))
                #expect(try await app.get("/adresse/voies?commune=%25&q=rue", host: host).status == .badRequest)
                // Another département knows none of these places.
                let otherHost = "\(other.slug).rdv.test"
                #expect(try await app.get("/adresse/communes?q=montelimar", host: otherHost).text == "[]")
                #expect(try await app.get("/adresse/voies?commune=26198&q=etang", host: otherHost).text == "[]")
            }
        }
    }
}
