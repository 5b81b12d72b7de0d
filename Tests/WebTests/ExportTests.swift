import Agenda
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import PostgresNIO
import Testing
import TestSupport
@testable import Tenancy

/// Exports of RDVs and usagers from the page to the file: what each administrator may export,
/// what the file holds (read back by Python's csv and by openpyxl), the refusals, the journal.
@Suite struct ExportTests {
    static func bytes(_ response: TestClient.Response) -> [UInt8] {
        response.body.map { Array($0.readableBytesView) } ?? []
    }

    static func rdvCount(_ world: TestWorld, _ d: CrossDepartement, where condition: String = "true") async throws -> Int {
        try await world.database.tenant(d.tenant).transaction { connection in
            let query = PostgresQuery(unsafeSQL: "SELECT count(*)::integer FROM rdvs r JOIN motifs m ON m.id = r.motif_id WHERE m.organisation_id = $1 AND \(condition)", binds: {
                var binds = PostgresBindings()
                binds.append(d.targets.organisationID)
                return binds
            }())
            return Int(try await connection.query(query).collect().first!.decode(Int32.self))
        }
    }

    @Test func anOrganisationAdministratorExportsTheRdvsOfTheOrganisation() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let b = try await CrossDepartement.make(world, mark: "Bravo")
            // One of the RDVs went badly: the export says so.
            try await world.database.tenant(a.tenant).transaction { connection in
                try await connection.query("UPDATE rdvs SET status = 'noshow' WHERE id = \(a.targets.rdvID)")
            }
            let expected = try await Self.rdvCount(world, a)
            #expect(expected >= 3)
            try await world.withLiveApp { app in
                let admin = try await a.signedIn(a.admin, app)
                #expect(try await admin.get("/agent").text.contains("/exports"))
                let page = try await admin.get("/exports")
                #expect(page.status == .ok && page.text.contains("Consultation Alpha") && page.text.contains("Aucun export"))

                let csv = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv"])
                #expect(csv.status == .ok)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"rdv-") == true)
                #expect(csv.headers[.cacheControl] == "no-store")
                #expect(!csv.text.contains("Bravo"), "nothing of the other département")
                let sheet = try ParsedSheet.read(Self.bytes(csv), format: "csv")
                #expect(sheet.records.count == expected)
                #expect(sheet.rows.first?.first?.description == "Identifiant")
                let rdv = try #require(sheet.records.first { $0["Identifiant"] == a.targets.rdvID.uuidString.lowercased() })
                #expect(rdv["Motif"] == "Consultation Alpha")
                #expect(rdv["Organisation"] == "Organisation Alpha")
                #expect(rdv["Lieu"] == "Lieu Alpha")
                #expect(rdv["Heure"] == "09:00")
                #expect(rdv["Durée (min)"] == "30")
                #expect(rdv["Usager(s)"] == "Alpha Usager")
                #expect(rdv["Statut"] == "Absent non excusé")
                #expect(rdv["Origine"] == "Par un agent")
                #expect(rdv["Agent(s)"] == a.agent.fullName)
                let monday = a.targets.occurrenceDay
                #expect(rdv["Date"] == String(format: "%02d/%02d/%04d", monday.day, monday.month, monday.year))
                let collective = try #require(sheet.records.first { $0["Identifiant"] == a.targets.collectiveRdvID.uuidString.lowercased() })
                #expect(collective["Nombre de participants"] == "2")
                #expect(collective["Statut par participant"]?.contains("Alpha Participant1 : À venir ou non renseigné") == true)
                let online = try #require(sheet.records.first { $0["Identifiant"] == a.targets.onlineRdvID.uuidString.lowercased() })
                #expect(online["Origine"] == "En ligne, par l’usager")

                // The same in XLSX, with real dates; and filtered by status.
                let xlsx = try await admin.post("/exports", ["donnees": "rdvs", "format": "xlsx", "statut": "noshow"])
                #expect(xlsx.status == .ok)
                #expect(xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                let workbook = try ParsedSheet.read(Self.bytes(xlsx), format: "xlsx")
                #expect(workbook.sheet == "RDV")
                #expect(workbook.records.count == 1)
                #expect(workbook.records.first?["Identifiant"] == a.targets.rdvID.uuidString.lowercased())
                #expect(workbook.records.first?["Date"] == "\(monday)T00:00:00")

                // A period that holds only the Monday.
                let day = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv", "du": monday.description, "au": monday.description])
                let dayRows = try ParsedSheet.read(Self.bytes(day), format: "csv").records
                #expect(!dayRows.isEmpty && dayRows.allSatisfy { $0["Date"] == rdv["Date"] })
                #expect(dayRows.count < expected)

                // Each export is in the journal, with its filter and its row count, and on the page.
                let journal = try await world.database.tenant(a.tenant).transaction { connection in
                    var rows: [(String, UUID?, String)] = []
                    for try await row in try await connection.query(
                        "SELECT action, actor_agent_id, details::text FROM audit_events WHERE action LIKE 'export.%' ORDER BY id"
                    ).decode((String, UUID?, String).self) { rows.append(row) }
                    return rows
                }
                #expect(journal.count == 3)
                #expect(journal.allSatisfy { $0.0 == "export.rdvs" && $0.1 == a.admin.id })
                let first = try JSONDecoder().decode([String: String].self, from: Data(journal[0].2.utf8))
                #expect(first == ["format": "csv", "lignes": String(expected), "complet": "oui", "organisation": a.targets.organisationID.uuidString])
                let second = try JSONDecoder().decode([String: String].self, from: Data(journal[1].2.utf8))
                #expect(second["statut"] == "noshow" && second["lignes"] == "1" && second["format"] == "xlsx")
                #expect(!journal.contains { $0.2.contains("Alpha") }, "the journal keeps ids, never names")
                let after = try await admin.get("/exports").text
                #expect(after.contains("Absent non excusé") && after.contains(a.admin.fullName) && !after.contains("Aucun export"))
            }
            _ = b
        }
    }

    @Test func usagersAreExportedWithinThePerimeter() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            try await world.withLiveApp { app in
                let admin = try await a.signedIn(a.admin, app)
                let xlsx = try await admin.post("/exports", ["donnees": "usagers", "format": "xlsx"])
                #expect(xlsx.status == .ok)
                #expect(xlsx.headers[.contentDisposition]?.contains("usagers-") == true)
                let sheet = try ParsedSheet.read(Self.bytes(xlsx), format: "xlsx")
                #expect(sheet.sheet == "Usagers")
                let usager = try #require(sheet.records.first { $0["Identifiant"] == a.targets.usagerID.uuidString.lowercased() })
                #expect(usager["Nom"] == "Alpha" && usager["Prénom"] == "Usager")
                #expect(usager["Téléphone"] == "06 12 34 56 78")
                #expect(usager["Email"] == "usager-alpha@exemple.fr")
                #expect(usager["Référent(s)"] == a.agent.fullName)
                #expect(usager["Notifications par SMS"] == "Oui")
                #expect(Int(usager["Nombre de RDV"] ?? "") ?? 0 >= 1)
                // The relative has no RDV and no referent in the organisation: outside its perimeter.
                #expect(!sheet.records.contains { $0["Identifiant"] == a.targets.relativeID.uuidString.lowercased() })

                // The département's administrator, without an organisation, exports every usager.
                let chief = try await a.signedIn(a.deptAdmin, app)
                let all = try ParsedSheet.read(Self.bytes(try await chief.post("/exports", ["donnees": "usagers", "format": "csv"])), format: "csv")
                let relative = try #require(all.records.first { $0["Identifiant"] == a.targets.relativeID.uuidString.lowercased() })
                #expect(relative["Responsable"] == "Alpha Usager")
                #expect(relative["Date de naissance"] == "12/03/2020")
                let total = try await world.database.tenant(a.tenant).transaction { connection in
                    try await connection.query("SELECT count(*)::integer FROM usagers").collect().first!.decode(Int32.self)
                }
                #expect(all.records.count == Int(total))
                // With an RDV criterion, only those who had such an RDV.
                let noShows = try ParsedSheet.read(
                    Self.bytes(try await chief.post("/exports", ["donnees": "usagers", "format": "csv", "statut": "noshow"])), format: "csv"
                )
                #expect(noShows.records.isEmpty)
            }
        }
    }

    @Test func refusalsAreFrenchAndExportNothing() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let other = try await world.makeOrganisation(in: a.tenant, name: "Autre organisation")
            try await world.withLiveApp { app in
                for agent in [a.agent, a.secretariat] {
                    let browser = try await a.signedIn(agent, app)
                    #expect(try await browser.get("/exports").status == .forbidden)
                    let refused = try await browser.post("/exports", ["donnees": "rdvs", "format": "csv"])
                    #expect(refused.status == .forbidden && refused.text.contains("Seuls les administrateurs"))
                    #expect(!(try await browser.get("/agent").text.contains("/exports")))
                }
                let admin = try await a.signedIn(a.admin, app)
                let otherOrganisation = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv", "organisation": other.id.uuidString])
                #expect(otherOrganisation.status == .forbidden)
                let reversed = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv", "du": "2026-02-01", "au": "2026-01-01"])
                #expect(reversed.status == .unprocessableContent && reversed.text.contains("La date de fin précède la date de début"))
                #expect(reversed.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(reversed.text.contains("value=\"2026-02-01\""), "the form keeps what was typed")
                let badDate = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv", "du": "31/02/2026"])
                #expect(badDate.status == .unprocessableContent && badDate.text.contains("n’est pas une date valide"))
                let badFormat = try await admin.post("/exports", ["donnees": "rdvs", "format": "pdf"])
                #expect(badFormat.status == .unprocessableContent && badFormat.text.contains("CSV ou XLSX"))
                let badStatus = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv", "statut": "perdu"])
                #expect(badStatus.status == .unprocessableContent)
                // Without the form's token, nothing: a link elsewhere cannot export in an administrator's name.
                let forged = try await admin.post("/exports", ["donnees": "rdvs", "format": "csv"], csrf: "forged")
                #expect(forged.status == .forbidden)
            }
            let journal = try await world.database.tenant(a.tenant).transaction { connection in
                try await connection.query("SELECT count(*)::integer FROM audit_events WHERE action LIKE 'export.%'").collect().first!.decode(Int32.self)
            }
            #expect(journal == 0, "a refused export is not an export")
        }
    }

    /// A download cut short stops the stream, and the journal still says who took how much.
    @Test func aDownloadCutShortIsJournalledAsInterrupted() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            // Enough RDVs that the file outgrows what the sockets can buffer.
            try await world.database.tenant(a.tenant).transaction { connection in
                try await connection.query(
                    """
                    INSERT INTO rdvs (motif_id, lieu_id, starts_at, ends_at, created_by, notes)
                    SELECT \(a.targets.motifID), \(a.targets.lieuID), now() - n * interval '1 hour', now() - n * interval '1 hour' + interval '30 minutes',
                           'agent', repeat('note ', 40)
                    FROM generate_series(1, 60000) n
                    """
                )
            }
            try await world.withLiveApp { app in
                let script = """
                    import socket, sys
                    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                    s.sendall(("GET /api/v1/exports/rdvs HTTP/1.1\\r\\nHost: " + sys.argv[2] + "\\r\\nAuthorization: Bearer " + sys.argv[3] + "\\r\\n\\r\\n").encode())
                    received = s.recv(4096)
                    s.close()
                    print(received.split(b"\\r\\n")[0].decode())
                    """
                let (status, output) = try await BrowserBookingTests.run(["python3", "-c", script, String(app.port), a.host, a.targets.apiToken])
                #expect(status == 0 && output.hasPrefix("HTTP/1.1 200"), "\(output)")
                var details: [String: String]?
                // Under the full suite's load the server may notice the cut late: up to a minute.
                for _ in 0..<600 where details == nil {
                    details = try await world.database.tenant(a.tenant).transaction { connection in
                        try await connection.query("SELECT details::text FROM audit_events WHERE action = 'export.rdvs'").collect().first
                            .map { try JSONDecoder().decode([String: String].self, from: Data(try $0.decode(String.self).utf8)) }
                    }
                    if details == nil { try await Task.sleep(for: .milliseconds(100)) }
                }
                let entry = try #require(details, "the cut download is journalled")
                #expect(entry["complet"] == "non")
                #expect((Int(entry["lignes"] ?? "") ?? .max) < 60_000)
                // The server goes on serving.
                #expect(try await APIClient(app: app, host: a.host, token: a.targets.apiToken).get("/me").status == .ok)
            }
        }
    }
}

/// The same exports through the API, for the département's dashboards.
@Suite struct APIExportTests {
    @Test func aTokenOfAnAdministratorFetchesTheExportsAndOthersAreRefused() async throws {
        try await TestWorld.run { world in
            let a = try await CrossDepartement.make(world, mark: "Alpha")
            let agentToken = try await world.database.tenant(a.tenant).transaction { connection in
                try await APITokenRepository(connection).create(agentID: a.agent.id, name: "Tableau", scopes: [.read], days: 30).secret
            }
            try await world.withLiveApp { app in
                // The fixture's token belongs to the département's administrator.
                let chief = APIClient(app: app, host: a.host, token: a.targets.apiToken)
                let xlsx = try await chief.get("/exports/rdvs?format=xlsx&organisation_id=\(a.targets.organisationID)")
                #expect(xlsx.status == .ok)
                #expect(xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                #expect(xlsx.headers[HTTPField.Name("RateLimit-Remaining")!] != nil)
                let sheet = try ParsedSheet.read(ExportTests.bytes(xlsx), format: "xlsx")
                #expect(sheet.records.count == (try await ExportTests.rdvCount(world, a)))

                let csv = try await chief.get("/exports/usagers")
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(try ParsedSheet.read(ExportTests.bytes(csv), format: "csv").records.contains { $0["Nom"] == "Alpha" })

                let reversed = try await chief.get("/exports/rdvs?from=2026-02-01&to=2026-01-01")
                #expect(reversed.status == .unprocessableContent && reversed.isProblem)
                #expect((reversed.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "to")
                let badFormat = try await chief.get("/exports/rdvs?format=pdf")
                #expect(badFormat.status == .unprocessableContent && badFormat.isProblem)
                #expect((badFormat.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "format")

                let plain = try await APIClient(app: app, host: a.host, token: agentToken).get("/exports/rdvs")
                #expect(plain.status == .forbidden && plain.isProblem)
                #expect((plain.object["detail"] as? String)?.contains("Seuls les administrateurs") == true)
            }
            let journal = try await world.database.tenant(a.tenant).transaction { connection in
                try await connection.query("SELECT action FROM audit_events WHERE action LIKE 'export.%' ORDER BY id").collect().map { try $0.decode(String.self) }
            }
            #expect(journal == ["export.rdvs", "export.usagers"])
        }
    }
}
