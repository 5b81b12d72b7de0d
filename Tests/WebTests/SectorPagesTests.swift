import Agenda
import Booking
import Foundation
import Identity
import Testing
import TestSupport
@testable import Tenancy

@Suite struct SectorPagesTests {
    @Test func departementAdministratorBuildsSectorsZonesAndAttributionsAndTestsAnAddress() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            let arras = try await world.makeOrganisation(in: tenant, name: "MDS Arras")
            let lens = try await world.makeOrganisation(in: tenant, name: "PMI de Lens")
            let lensAgent = try await world.makeAgent(in: tenant, role: .agent, organisation: lens)
            try await world.withLiveApp { app in
                let chief = try await signedInDepartementAdmin(world, tenant, app)
                #expect(try await chief.get("/organisation").text.contains("href=\"/secteurs\""))
                #expect(try await chief.get("/secteurs").text.contains("Aucun secteur n’existe encore"))
                let unnamed = try await chief.post("/secteurs", ["name": " - "])
                #expect(unnamed.status == .unprocessableContent)
                #expect(unnamed.text.contains("<a href=\"#sector-name\">Le nom du secteur compte de 1 à 200 caractères") && unnamed.text.contains("aria-invalid=\"true\""))
                let created = try await chief.post("/secteurs", ["name": "Arrageois"])
                #expect(created.status == .seeOther)
                let commune = try #require(created.locationID)
                #expect(try await chief.post("/secteurs", ["name": "Arrageois"]).status == .conflict)
                let street = try #require(try await chief.post("/secteurs", ["name": "Quartier Gambetta"]).locationID)

                try await chief.get("/secteurs/\(commune)")
                let badCode = try await chief.post("/secteurs/\(commune)/zones", ["code": "6204", "commune": "", "voie": ""])
                #expect(badCode.status == .unprocessableContent)
                #expect(badCode.text.contains("href=\"#zone-code\"") && badCode.text.contains("href=\"#zone-commune\""))
                #expect(try await chief.post("/secteurs/\(commune)/zones", ["code": "62041", "commune": "Arras", "voie": ""]).text.contains("Zone « Arras (toute la commune) » ajoutée"))
                #expect(try await chief.post("/secteurs/\(street)/zones", ["code": "62041", "commune": "Arras", "voie": "Rue Gambetta"]).status == .ok)
                let taken = try await chief.post("/secteurs/\(commune)/zones", ["code": "62041", "commune": "Arras", "voie": "RUE GAMBETTA"])
                #expect(taken.status == .conflict && taken.text.contains("Cette voie appartient déjà au secteur « Quartier Gambetta »"))

                try await chief.get("/secteurs")
                #expect(try await chief.post("/secteurs/attributions", ["sector": commune.uuidString, "organisation": arras.id.uuidString, "agent": ""]).text.contains("Secteur attribué"))
                let elsewhere = try await chief.post("/secteurs/attributions", ["sector": street.uuidString, "organisation": arras.id.uuidString, "agent": lensAgent.id.uuidString])
                #expect(elsewhere.status == .unprocessableContent && elsewhere.text.contains("href=\"#attribution-agent\""))
                let listed = try await chief.post("/secteurs/attributions", ["sector": street.uuidString, "organisation": lens.id.uuidString, "agent": lensAgent.id.uuidString])
                #expect(listed.text.contains("PMI de Lens – Prénom Nom-agent"))

                let byStreet = try await chief.get("/secteurs/tester?commune=62041&voie=rue%20gambetta")
                #expect(byStreet.text.contains("« Quartier Gambetta »</a>, par la zone de la voie") && byStreet.text.contains("Prénom Nom-agent (PMI de Lens)"))
                let byCommune = try await chief.get("/secteurs/tester?commune=arras&voie=Rue%20Inconnue")
                #expect(byCommune.text.contains("« Arrageois »</a>, par la zone de toute la commune (aucune zone pour cette voie)") && byCommune.text.contains("<li>MDS Arras</li>"))
                let wholeCommune = try await chief.get("/secteurs/tester?commune=62041")
                #expect(wholeCommune.text.contains("par la zone de toute la commune.</p>"))
                #expect(try await chief.get("/secteurs/tester?commune=59350").text.contains("Aucun secteur ne couvre cette adresse"))

                let zones = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).zones(of: street) }
                let page = try await chief.get("/secteurs/\(street)")
                #expect(page.text.contains("Rue Gambetta"))
                #expect(try await chief.post("/secteurs/\(street)/zones/retirer", ["zone": zones[0].id.uuidString]).text.contains("Zone retirée"))
                #expect(try await chief.post("/secteurs/\(street)/supprimer", [:]).text.contains("Secteur supprimé"))
            }
            let left = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).all() }
            #expect(left.map(\.sector.name) == ["Arrageois"] && left.first?.zoneCount == 1 && left.first?.attributions.map(\.organisationID) == [arras.id])
        }
    }

    @Test func anImportWithBadLinesListsThemAllAndImportsNothing() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                let chief = try await signedInDepartementAdmin(world, tenant, app)
                try await chief.get("/secteurs")
                let bad = "secteur;code_insee;commune;voie\nArrageois;62041;Arras;\n;62498;Lens;\nBoulonnais;6216;Boulogne-sur-Mer;\n"
                let refused = try await uploadZones(chief, app, file: Array(bad.utf8))
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("Aucune zone n’a été importée : 2 erreurs à corriger"))
                #expect(refused.text.contains("<tr><td>3</td><td>Le nom du secteur est vide.</td></tr>"))
                #expect(refused.text.contains("<tr><td>4</td><td>Le code INSEE « 6216 » n’est pas valide"))
                let emptied = try await chief.post("/secteurs/import", ["csv": ""])
                #expect(emptied.status == .unprocessableContent && emptied.text.contains("Choisissez un fichier CSV"))
            }
            let sectors = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).all() }
            #expect(sectors.isEmpty)
        }
    }

    @Test func exportedZonesImportBackUnchangedAndASpreadsheetFileInWindows1252IsRead() async throws {
        try await TestWorld.run { world in
            let tenant = try await world.makeTenant()
            try await world.withLiveApp { app in
                let chief = try await signedInDepartementAdmin(world, tenant, app)
                try await chief.get("/secteurs")
                let pasted = "secteur,code_insee,commune,voie\r\n\"Sud, Drôme\",26198,Montélimar,\r\nSud,26198,Montélimar,Allée de l’Étang\r\n"
                let imported = try await chief.post("/secteurs/import", ["csv": pasted])
                #expect(imported.text.contains("Import terminé : 2 zone(s) ajoutée(s), 0 modifiée(s), 0 inchangée(s); 2 secteur(s) créé(s)."))

                let export = try await chief.get("/secteurs/zones.csv")
                #expect(export.status == .ok && export.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(export.text == "\u{FEFF}secteur;code_insee;commune;voie\r\nSud;26198;Montélimar;Allée de l’Étang\r\n\"Sud, Drôme\";26198;Montélimar;\r\n")
                let again = try await uploadZones(chief, app, file: Array(export.text.utf8), fields: ["replace": "on"])
                #expect(again.text.contains("0 zone(s) ajoutée(s), 0 modifiée(s), 2 inchangée(s), 0 supprimée(s); 0 secteur(s) créé(s)."))
                #expect(try await chief.get("/secteurs/zones.csv").text == export.text)

                // "Valence" in Windows-1252, as a French spreadsheet saves "CSV (séparateur : point-virgule)".
                let windows = Array("secteur;code_insee;commune;voie\r\nNord;26362;Valence;Rue Pont-Neuf\r\nNord;26064;Bourg-l".utf8) + [0xE8] + Array("s-Valence;\r\n".utf8)
                #expect(try await uploadZones(chief, app, file: windows).text.contains("2 zone(s) ajoutée(s)"))
            }
            let communes = try await world.database.tenant(tenant).transaction { try await SectorRepository($0).communes(matching: "bourg les") }
            #expect(communes == [CommuneSuggestion(code: "26064", name: "Bourg-lès-Valence")])
        }
    }
}
