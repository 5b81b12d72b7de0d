import Foundation
import Testing
import TestSupport
@testable import Tenancy

/// What wins between `Tenants/*.toml` and the console: a département the console created or
/// changed is the console's; a file applied later leaves it alone and says so, unless told
/// that the file wins, which is journaled.
@Suite struct ConsoleAndFilesTests {
    @Test func aFileAppliedLaterDoesNotSilentlyUndoTheConsole() async throws {
        try await TestWorld.run { world in
            let code = try #require(DepartementCode("976"))
            let console = TenantDefinition(slug: "mayotte", name: "Mayotte", code: code, customDomains: ["rdv.cg976.fr"])
            try await world.registry.upsert([console], source: .console(actor: nil))
            let file = TenantDefinition(slug: "mayotte-ancien", name: "Ancien nom", code: code)
            let provisioner = TenantProvisioner(runner: world.runner(), registry: world.registry)

            let kept = try await provisioner.apply([file])
            #expect(kept.keptByConsole.map(\.code) == [code])
            let unchanged = try #require(try await world.registry.all().first)
            #expect(unchanged.name == "Mayotte" && unchanged.slug == "mayotte" && unchanged.customDomains == ["rdv.cg976.fr"])

            let forced = try await provisioner.apply([file], source: .file(fileWins: true))
            #expect(forced.keptByConsole.isEmpty)
            let replaced = try #require(try await world.registry.all().first)
            #expect(replaced.name == "Ancien nom" && replaced.slug == "mayotte-ancien" && replaced.customDomains.isEmpty)
            let journal = try await world.owner.ownerQuery("SELECT action FROM shared.consortium_audit_events ORDER BY id")
                .map { try $0.decode(String.self) }
            #expect(journal == ["tenant.declared", "tenant.file_overrode_console"])

            // Handed back to the files: the next plain apply changes it again.
            let renamed = TenantDefinition(slug: "mayotte-ancien", name: "Mayotte (fichier)", code: code)
            #expect(try await provisioner.apply([renamed]).keptByConsole.isEmpty)
            #expect(try await world.registry.all().first?.name == "Mayotte (fichier)")
        }
    }
}
