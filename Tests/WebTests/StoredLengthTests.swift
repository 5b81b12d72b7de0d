import Foundation
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy
@testable import Web

/// Found by scripts/form-fuzz: a name of 100 letters, each with combining accents, passed the
/// form's check (100 characters as a reader counts them) and broke the table's CHECK (code
/// points): a 500. Forms now count as the database does, and a refusal the forms missed is a
/// 422 with nothing written, never a 500.
@Suite struct StoredLengthTests {
    /// 60 letters as a reader sees them, 180 code points.
    static let accented = String(repeating: "e\u{301}\u{302}", count: 60)

    @Test func formsCountTextAsTheDatabaseDoes() async throws {
        #expect(Self.accented.count == 60 && Self.accented.storedLength == 180)
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            _ = try await world.makeOrganisation(in: tenant, name: "MDS Lens")
            let chief = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
            let totp = try await world.enrolSecondFactor(chief, in: tenant)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
                try await browser.signIn(chief.email, totp: totp)
                try await browser.get("/organisation")
                let refused = try await browser.post("/organisation/services", ["name": Self.accented])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("Le nom du service compte de 1 à 100 caractères."))
                let services = try await world.database.tenant(tenant).transaction { connection in
                    try await connection.query("SELECT count(*)::int FROM services").decode(Int.self).first { _ in true }
                }
                #expect(services == 0)
            }
        }
    }

    @Test func aValueTheDatabaseRefusesIsA422() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let caught: (any Error)? = await {
                do {
                    try await world.database.tenant(tenant).transaction { connection in
                        try await connection.query("INSERT INTO services (name) VALUES (\(String(repeating: "x", count: 101)))")
                    }
                    return nil
                } catch { return error }
            }()
            let error = try #require(caught)
            #expect(PublicError.refusedValue(error)?.status == .unprocessableContent)
            #expect(PublicError.refusedValue(error)?.detail.contains("rien n’a été enregistré") == true)
            let syntax: (any Error)? = await {
                do {
                    try await world.database.tenant(tenant).transaction { try await $0.query("SELEC 1") }
                    return nil
                } catch { return error }
            }()
            #expect(PublicError.refusedValue(try #require(syntax)) == nil, "any other database error stays a bug")
        }
    }
}
