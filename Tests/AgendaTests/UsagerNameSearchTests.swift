import Agenda
import Foundation
import Testing
import TestSupport

@Suite struct UsagerNameSearchTests {
    @Test func namesStartingWithTheTextInNameOrderAtMostFifty() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let (found, escaped, many) = try await world.database.tenant(tenant).transaction { connection in
                let usagers = UsagerRepository(connection)
                for (first, last) in [("Léa", "Martin"), ("Martine", "Dupont"), ("Paul", "MARTINEZ"), ("Jean", "Marchand"), ("Anne", "Mar_tin"), ("Lou", "Lamart")] {
                    _ = try await usagers.create(firstName: first, lastName: last, phone: nil, email: nil)
                }
                for index in 0..<60 { _ = try await usagers.create(firstName: "Zoé", lastName: "Zed\(100 + index)", phone: nil, email: nil) }
                return (
                    try await usagers.search("MART").map(\.name), try await usagers.search("mar_").map(\.name),
                    try await usagers.search("zed").map(\.name)
                )
            }
            #expect(found == ["Martine Dupont", "Léa Martin", "Paul MARTINEZ"], "first or last name, any case, by last then first name")
            #expect(escaped == ["Anne Mar_tin"], "an underscore is a letter, not a wildcard")
            #expect(many == (100..<150).map { "Zoé Zed\($0)" })
        }
    }
}
