import Foundation
import Scheduling
import SeededRandom
import Testing
import TestSupport
@testable import Agenda

/// The records that may be the same person, found in one query for many probes, are exactly
/// those the rule names when every record is compared with every probe: same phone, same email
/// (any case), or same names (case and accents aside) and birth date, birth dates absent included.
@Suite struct UsagerDuplicateTests {
    static let firstNames = ["Inès", "INES", "ines", "Éloïse", "Eloise", "Noé", "NOE", "Zoé", "Jean-Luc", "jean-luc"]
    static let lastNames = ["Lefèvre", "LEFÈVRE", "Lefevre", "Durand", "DURAND", "Émile", "EMILE", "Ngô", "NGO", "Dupont"]
    static let dates: [LocalDate?] = [nil, LocalDate(iso: "1984-03-15"), LocalDate(iso: "2019-07-01"), LocalDate(iso: "1950-12-31")]

    static func person(_ random: inout SeededRandom, index: Int) -> UsagerIdentity {
        UsagerIdentity(
            firstName: firstNames.randomElement(using: &random)!, lastName: lastNames.randomElement(using: &random)!,
            birthDate: dates.randomElement(using: &random)!,
            phone: Int.random(in: 0..<3, using: &random) == 0 ? "+336123456\(Int.random(in: 10...40, using: &random))" : nil,
            email: Int.random(in: 0..<3, using: &random) == 0
                ? ["a", "A", "b", "c", "d", "e", "f", "g", "h", "i"].randomElement(using: &random)! + "@Exemple.fr".lowercased(with: Bool.random(using: &random)) : nil
        )
    }

    /// The rule, record by record.
    static func matches(_ record: Usager, _ probe: UsagerIdentity) -> Bool {
        if let phone = probe.phone, record.phone == phone { return true }
        if let email = probe.email, record.email?.lowercased() == email.lowercased() { return true }
        return UsagerNameKey(record.firstName, record.lastName, record.birthDate) == UsagerNameKey(probe.firstName, probe.lastName, probe.birthDate)
    }

    @Test(arguments: (UInt64(1)...6).map { $0 }) func oneQueryFindsWhatComparingEveryRecordFinds(seed: UInt64) async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            var random = SeededRandom(seed: seed)
            let records = (0..<120).map { Self.person(&random, index: $0) }
            let probes = (0..<40).map { Self.person(&random, index: $0) }
            let (all, found, single) = try await world.database.tenant(tenant).transaction { connection in
                let usagers = UsagerRepository(connection)
                try await usagers.createAll(records.map { .init(id: UUID(), identity: $0, address: nil) })
                var all: [Usager] = []
                for try await id in try await connection.query("SELECT id FROM usagers ORDER BY created_at, id").decode(UUID.self) {
                    all.append(try #require(try await usagers.find(id)))
                }
                let found = try await usagers.duplicateCandidates(of: probes)
                let first = probes[0]
                let single = try await usagers.duplicateCandidates(
                    firstName: first.firstName, lastName: first.lastName, birthDate: first.birthDate, phone: first.phone, email: first.email
                )
                return (all, found, single)
            }
            for (probe, candidates) in zip(probes, found) {
                let expected = Array(all.filter { Self.matches($0, probe) }.prefix(21))
                #expect(candidates.map(\.id) == expected.map(\.id), "seed \(seed): \(probe)")
            }
            #expect(single.map(\.id) == found[0].map(\.id), "one probe alone finds the same")
        }
    }
}

private extension String {
    func lowercased(with yes: Bool) -> String { yes ? lowercased() : self }
}
