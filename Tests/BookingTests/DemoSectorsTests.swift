import Booking
import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// `rdv demo` seeds sectors in each demo département, and seeding twice changes nothing.
@Suite struct DemoSectorsTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rdv").path

    @Test func demoSectorsResolveRealAddressesAndSeedOnce() async throws {
        try await TestWorld.run { world in
            var environment = ProcessInfo.processInfo.environment
            environment.merge(world.environment) { $1 }
            environment["LOG_LEVEL"] = "warning"
            let arguments = [
                Self.binary, "demo", "--tenants", TestWorld.repositoryRoot.appendingPathComponent("Tenants").path,
                "--migrations", TestWorld.repositoryRoot.appendingPathComponent("Migrations").path,
            ]
            for _ in 1...2 {
                let run = try Subprocess.run(arguments, environment: environment)
                #expect(run.status == 0, "\(run.output)")
            }
            let pasDeCalais = try #require(try await world.registry.all().first { $0.code.value == "62" })
            let (sectors, gambetta, arras, lens) = try await world.database.tenant(pasDeCalais).transaction { connection in
                let repository = SectorRepository(connection)
                return (
                    try await repository.all(),
                    try await repository.resolve(communeCode: "62041", street: "rue gambetta"),
                    try await repository.resolve(communeCode: "62041", street: "Grand'Place"),
                    try await repository.resolve(communeCode: "62498", street: nil)
                )
            }
            #expect(sectors.count == 4 && sectors.allSatisfy { $0.zoneCount == 1 && $0.attributions.count == 1 })
            #expect(gambetta?.level == .street && gambetta?.organisations.map(\.name) == ["PMI de Lens"])
            #expect(arras?.level == .commune && arras?.organisations.map(\.name) == ["Maison du Département Solidarité de l’Arrageois"])
            #expect(lens?.organisations.map(\.name) == ["PMI de Lens"])
        }
    }
}
