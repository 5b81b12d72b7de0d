import Consortium
import Crypto
import Foundation
import Hummingbird
import Logging
import Testing
import TestSupport
@testable import Tenancy

/// Offboarding from the console: an operator asks for a département's archive, the owner side
/// writes it, the operator downloads it (journaled); nobody else reaches it.
@Suite struct ConsoleArchiveTests {
    @Test func anOperatorAsksForTheArchiveAndDownloadsWhatTheOwnerSideWrote() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant(name: "Département qui part")
            let other = try await world.makeTenant(name: "Département qui reste")
            _ = try await world.makeAgent(in: tenant, role: .agent, organisation: try await world.makeOrganisation(in: tenant))
            let steering = try await world.makeConsortiumAccount(.steering)
            defer { try? FileManager.default.removeItem(at: world.exportDirectory) }
            let jobs = OwnerJobs(
                owner: world.owner, database: world.database, runner: world.runner(), exportDirectory: world.exportDirectory,
                logger: Logger(label: "rdv.tests.exports"), link: { "http://\($0).rdv.test" }
            )
            try await world.withLiveApp { app in
                let (console, _) = try await ConsoleOnboardingTests.signedInOperator(world, app)
                let page = "/departements/\(tenant.code.value)"
                #expect(try await console.get(page).text.contains("Préparer une archive"))
                #expect(try await console.post(page + "/archives", [:]).status == .seeOther)
                #expect(try await console.get(page).text.contains("en attente d’écriture"))
                let twice = try await console.post(page + "/archives", [:])
                #expect(twice.status == .conflict && twice.text.contains("déjà en préparation"))

                let written = await jobs.runPendingExports()
                #expect(written.map(\.state) == [.done])
                let archive = try #require(written.first)
                let ready = try await console.get(page)
                let sum = try #require(archive.sha256)
                #expect(ready.text.contains("prête") && ready.text.contains(sum))

                let path = "\(page)/archives/\(archive.id.uuidString.lowercased())"
                let download = try await console.get(path)
                #expect(download.status == .ok)
                #expect(download.headers[.contentDisposition]?.contains(".tar") == true)
                let bytes = Data(try #require(download.body).readableBytesView)
                #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == archive.sha256)
                #expect(bytes.count == archive.bytes)

                // The same archive, asked for through another département's page, is not found;
                // the steering committee has no such page at all.
                #expect(try await console.get("/departements/\(other.code.value)/archives/\(archive.id.uuidString.lowercased())").status == .notFound)
                let stats = Browser(app: app, host: "stats.rdv.test")
                #expect(try await stats.signIn(steering.email) == 303)
                #expect(try await stats.get(path).status == .notFound)
                #expect(try await Browser(app: app, host: "\(tenant.slug).rdv.test").get(path).status == .notFound)
            }
            let journal = try await world.owner.ownerQuery(
                "SELECT action FROM shared.consortium_audit_events WHERE tenant_id = \(tenant.id) AND action LIKE 'tenant.export%' ORDER BY id"
            ).map { try $0.decode(String.self) }
            #expect(journal == ["tenant.export_requested", "tenant.exported", "tenant.export_downloaded"])

            // A week later the file goes, and the page says so.
            _ = try await world.owner.ownerQuery("UPDATE shared.export_requests SET expires_at = now() - interval '1 minute'")
            #expect(await jobs.runPendingExports().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: world.exportDirectory.path).filter { $0.hasSuffix(".tar") }.isEmpty)
        }
    }
}
