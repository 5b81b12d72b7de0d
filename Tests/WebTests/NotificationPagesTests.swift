import Agenda
import Foundation
import HummingbirdTesting
import Identity
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// Administrators set up SMS and reminders, see dead letters and retry them; providers post
/// receipts to a secret address of their département; agents see each appointment's messages.
@Suite struct NotificationPagesTests {
    @Test func settingsDeadLettersReceiptsAndTheAppointmentsMessages() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            let theirs = try await OnlineSetup.make(world, name: "Drôme")
            let chief = try await world.makeAgent(in: setup.tenant, role: .deptAdmin, organisation: nil)
            let totp = try await world.enrolSecondFactor(chief, in: setup.tenant)
            let theirMessage = try await world.database.tenant(theirs.tenant).transaction { connection in
                try #require(try await connection.query(
                    "INSERT INTO messages (channel, kind, recipient, body, state) VALUES ('sms', 'reminder', '+33700000000', 'x', 'dead') RETURNING id"
                ).decode(UUID.self).first(where: { _ in true }))
            }
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.signIn(chief.email, totp: totp)
                #expect(try await browser.get("/notifications").text.contains("Aucun : tous les messages sont partis"))
                let invalid = try await browser.post("/notifications/reglages", [
                    "sms_provider": "http_json", "sms_endpoint": "ftp://x", "sms_daily_cap": "0", "email_daily_cap": "20", "rappel_1_heures": "24",
                ])
                #expect(invalid.status == .unprocessableContent && invalid.text.contains("commence par https://") && invalid.text.contains("Rappel 1"))
                let saved = try await browser.post("/notifications/reglages", [
                    "sender_name": "Département du Pas-de-Calais", "sms_enabled": "on", "sms_provider": "http_json",
                    "sms_endpoint": "https://sms.example/api", "sms_sender": "Dept62", "sms_api_key": "très-secrète",
                    "sms_daily_cap": "5", "email_daily_cap": "20", "rappel_1_heures": "24", "rappel_1_sms": "on", "rappel_2_heures": "3", "rappel_2_email": "on",
                ])
                #expect(saved.text.contains("Réglages enregistrés") && !saved.text.contains("très-secrète") && saved.text.contains("Une clé est enregistrée"))

                // A booking: the agent sees its messages; the provider's receipt marks the SMS delivered.
                let usagerBrowser = Browser(app: app, host: setup.host)
                try await usagerBrowser.get(setup.detailsPath(at: "09:00"))
                let request = try #require(try await usagerBrowser.post("/prendre-rdv", setup.fields(at: "09:00")).headers[.location])
                #expect(try await confirm(usagerBrowser, request: request, world: world, tenant: setup.tenant, recipient: "lea.martin@exemple.fr").status == .seeOther)
                let (rdvID, smsID) = try await world.database.tenant(setup.tenant).transaction { connection in
                    let rdv = try #require(try await connection.query("SELECT id FROM rdvs").decode(UUID.self).first(where: { _ in true }))
                    let sms = try #require(try await connection.query(
                        "UPDATE messages SET state = 'sent', sent_at = now(), segments = 1, provider_reference = 'prov-1' WHERE channel = 'sms' AND kind = 'confirmation' RETURNING id"
                    ).decode(UUID.self).first(where: { _ in true }))
                    return (rdv, sms)
                }
                let page = try await browser.get("/rdv/\(rdvID)")
                #expect(page.text.contains("SMS · Confirmation") && page.text.contains("Courriel · Confirmation") && page.text.contains("· Rappel"))

                let settingsPage = try await browser.get("/notifications")
                #expect(settingsPage.status == .ok && settingsPage.text.contains("<td>1</td>"), "segments of the month")
                let receiptPath = try #require(settingsPage.text.components(separatedBy: "<code>").dropFirst().first?.components(separatedBy: "</code>").first)
                    .components(separatedBy: ".rdv.test").last!.drop(while: { $0 != "/" })
                let provider = { (host: String, path: String, body: String) in
                    try await app.post(String(path), host: host, body: body)
                }
                #expect(try await provider(theirs.host, String(receiptPath), #"{"reference":"prov-1","status":"delivered"}"#).status == .notFound, "another département's address")
                #expect(try await provider(setup.host, "/notifications/accuses/faux", #"{"reference":"prov-1","status":"delivered"}"#).status == .notFound)
                #expect(try await provider(setup.host, String(receiptPath), "pas du json").status == .badRequest)
                #expect(try await provider(setup.host, String(receiptPath), #"{"reference":"prov-1","status":"delivered"}"#).status == .noContent)
                #expect(try await browser.get("/rdv/\(rdvID)").text.contains("remis"))

                // A dead letter comes back; another département's stays where it is.
                try await world.database.tenant(setup.tenant).transaction { connection in
                    try await connection.query("UPDATE messages SET state = 'dead', last_error = 'plafond journalier atteint' WHERE id = \(smsID)")
                }
                let dead = try await browser.get("/notifications")
                #expect(dead.text.contains("plafond journalier atteint") && dead.text.contains("Réessayer"))
                #expect(try await browser.post("/notifications/\(smsID)/reessayer", [:]).text.contains("Le message repart"))
                #expect(try await browser.post("/notifications/\(theirMessage)/reessayer", [:]).status == .notFound)

                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                #expect(try await agent.get("/notifications").status == .forbidden)
                #expect(try await agent.get("/compte").text.contains("name=\"avis\" checked"))
                #expect(try await agent.post("/compte/avis", [:]).text.contains("Vous ne recevrez plus ces courriels"))
                #expect(!(try await agent.get("/compte").text.contains("name=\"avis\" checked")))
            }
            let (settings, state) = try await world.database.tenant(setup.tenant).transaction { connection in
                (try await NotificationSettings.load(connection), try #require(try await connection.query("SELECT state FROM messages WHERE provider_reference = 'prov-1'").decode(String.self).first(where: { _ in true })))
            }
            #expect(settings.smsProvider == "http_json" && settings.hasSMSKey && settings.smsDailyCap == 5 && state == "queued")
            #expect(settings.reminderPolicy.reminders == [.init(minutes: 1440, channels: [.sms]), .init(minutes: 180, channels: [.email])])
            let theirState = try await world.database.tenant(theirs.tenant).transaction { connection in
                try #require(try await connection.query("SELECT state FROM messages WHERE id = \(theirMessage)").decode(String.self).first(where: { _ in true }))
            }
            #expect(theirState == "dead")
        }
    }
}
