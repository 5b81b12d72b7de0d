import Foundation
import Testing
import TestSupport

/// The systemd units in deploy/: each runs as the dedicated user with the hardening options, and
/// only the units that migrate or open départements read the owner's URL.
@Suite struct DeploymentUnitsTests {
    static let deploy = TestWorld.repositoryRoot.appendingPathComponent("deploy")

    static func unit(_ name: String) throws -> [String] {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
            .components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    @Test(arguments: ["rdv.service", "rdv-worker.service", "rdv-migrate.service", "rdv-provision.service"])
    func everyUnitIsHardened(_ name: String) throws {
        let lines = try Self.unit(name)
        for required in ["User=rdv", "NoNewPrivileges=true", "ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true", "EnvironmentFile=/etc/rdv/env"] {
            #expect(lines.contains(required), "\(name) lacks \(required)")
        }
        let start = try #require(lines.first { $0.hasPrefix("ExecStart=") })
        let command = start.dropFirst("ExecStart=/opt/rdv/rdv ".count).split(separator: " ").first.map(String.init)
        #expect(["serve", "worker", "migrate", "tenants"].contains(command ?? ""), "\(name): \(start)")
    }

    @Test func onlyMigrationsAndOpeningsHoldTheOwnersURL() throws {
        for name in ["rdv.service", "rdv-worker.service"] {
            #expect(!(try Self.unit(name)).contains { $0.contains("owner.env") }, "\(name) must not read the owner's URL")
        }
        for name in ["rdv-migrate.service", "rdv-provision.service"] {
            #expect(try Self.unit(name).contains("EnvironmentFile=/etc/rdv/owner.env"))
        }
        // The migration runs once, before the long-running units that require it.
        #expect(try Self.unit("rdv-migrate.service").contains("Type=oneshot"))
        for name in ["rdv.service", "rdv-worker.service", "rdv-provision.service"] {
            #expect(try Self.unit(name).contains("Requires=rdv-migrate.service"), "\(name)")
        }
    }
}
