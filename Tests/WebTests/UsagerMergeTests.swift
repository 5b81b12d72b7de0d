import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Two records of the same person become one, appointments, relatives and referents kept, the
/// merge audited.
@Suite struct UsagerMergeTests {
    @Test func aDuplicateIsOfferedAndMergedIntoTheRecordKept() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world, weeksAhead: 1)
            let colleague = try await world.makeAgent(in: setup.tenant, role: .agent, organisation: setup.organisation)
            let born = LocalDate(iso: "2001-02-03")
            let (kept, absorbed, child, unrelated) = try await world.database.tenant(setup.tenant).transaction { connection in
                let usagers = UsagerRepository(connection)
                let kept = try await usagers.create(firstName: "Inès", lastName: "Durand", phone: "+33612345678", email: nil, birthDate: born)
                let absorbed = try await usagers.create(firstName: "INÈS", lastName: "durand", phone: nil, email: "ines@exemple.fr", birthDate: born)
                let child = try await usagers.create(firstName: "Noé", lastName: "Durand", phone: nil, email: nil, birthDate: LocalDate(iso: "2021-09-12"), responsibleID: absorbed)
                let unrelated = try await usagers.create(firstName: "Paul", lastName: "Martin", phone: nil, email: "paul@exemple.fr")
                try await usagers.addReferent(colleague.id, to: absorbed)
                for (index, usager) in [kept, absorbed].enumerated() {
                    let start = setup.clock.instant(setup.monday, LocalTime(minutes: 9 * 60 + 30 * index)!)
                    _ = try await RdvRepository(connection).book(NewRdv(
                        motifID: setup.motifID, lieuID: setup.lieuID, start: start, end: start.addingTimeInterval(1800), agentIDs: [setup.agent.id], usagerIDs: [usager]
                    ))
                }
                return (kept, absorbed, child, unrelated)
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(setup.agent.email)
                let record = try await browser.get("/usagers/\(kept)")
                #expect(record.text.contains("Fiches en double possibles") && record.text.contains("/usagers/\(absorbed)"))
                #expect(!record.text.contains("/usagers/\(unrelated)\""), "another person is no duplicate")
                // A person and their relative are two people.
                let refused = try await browser.post("/usagers/\(absorbed)/fusion", ["doublon": child.uuidString])
                #expect(refused.status == .conflict && refused.text.contains("deux personnes"))
                let merged = try await browser.post("/usagers/\(kept)/fusion", ["doublon": absorbed.uuidString])
                #expect(merged.status == .ok && merged.text.contains("Fiches fusionnées : 1 rendez-vous rattaché"))
                #expect(merged.text.contains("ines@exemple.fr") && merged.text.contains("Noé Durand") && merged.text.contains(colleague.fullName))
                #expect(try await browser.get("/usagers/\(absorbed)").status == .notFound)
                #expect(try await browser.post("/usagers/\(kept)/fusion", ["doublon": absorbed.uuidString]).status == .notFound, "merged once")
            }
            let (appointments, responsible, audited) = try await world.database.tenant(setup.tenant).transaction { connection in
                (
                    try await connection.query("SELECT count(*)::int FROM rdv_participants WHERE usager_id = \(kept)").decode(Int.self).first { _ in true },
                    try await UsagerRepository(connection).find(child)?.responsibleID,
                    try await connection.query("SELECT count(*)::int FROM audit_events WHERE action = 'usagers.merged'").decode(Int.self).first { _ in true }
                )
            }
            #expect(appointments == 2 && responsible == kept && audited == 1)
        }
    }
}
