import Agenda
import Booking
import Foundation
import HummingbirdTesting
import Identity
import Notifications
import Scheduling
import Testing
import TestSupport
@testable import Tenancy

/// A person books online with the code sent by email, gets the confirmation and the link, then
/// cancels through the link and the time is free again.
@Suite struct BookingFlowTests {
    @Test func aPersonBooksWithTheEmailedCodeThenCancelsByTheLink() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            let nine = setup.clock.instant(setup.monday, LocalTime("09:00")!)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                // One service, one motif: the steps lead to the lieu and its week of slots.
                let start = try await browser.get("/prendre-rdv")
                let motifLink = try #require(start.text.links(startingWith: "/prendre-rdv?").first { $0.contains("motif=") })
                let lieuLink = try #require(try await browser.get(motifLink).text.links(startingWith: "/prendre-rdv?").first { $0.contains("lieu=") })
                let week = try await browser.get(lieuLink)
                #expect(week.text.contains("9 h 30") && week.text.contains("Semaine du"))
                let slotLink = try #require(week.text.links(startingWith: "/prendre-rdv/coordonnees").first)
                #expect(slotLink.contains("debut=\(Int(nine.timeIntervalSince1970))"), "the first slot of the week comes first")

                let form = try await browser.get(slotLink)
                #expect(form.status == .ok && form.text.contains("Centre d’Arras") && form.text.contains("name=\"site_web\""))
                let invalid = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: "", extra: ["telephone": "12", "pour": "proche"]))
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("href=\"#telephone\"") && invalid.text.contains("href=\"#proche_prenom\""))
                let nothing = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: "", extra: ["telephone": ""]))
                #expect(nothing.status == .unprocessableContent && nothing.text.contains("href=\"#email\"") && nothing.text.contains("ou un téléphone portable"))
                #expect(try await world.outbox(of: setup.tenant).isEmpty, "nothing sent for a wrong form")

                let sent = try await browser.post("/prendre-rdv", setup.fields(at: "09:00"))
                #expect(sent.status == .seeOther)
                let confirmation = try #require(sent.headers[.location])
                let codeMail = try #require(try await world.outbox(of: setup.tenant).first)
                #expect(codeMail.recipient == "lea.martin@exemple.fr")
                let code = try #require(codeMail.subject.confirmationCode)
                #expect(try await browser.get(confirmation).text.contains("Code reçu"))
                let wrong = try await browser.post(confirmation, ["code": code == "000000" ? "111111" : "000000"])
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("Il vous reste 4 essais"))
                let right = try await browser.post(confirmation, ["code": code])
                #expect(right.status == .seeOther)
                let done = try await browser.get(try #require(right.headers[.location]))
                #expect(done.text.contains("Votre rendez-vous est confirmé") && done.text.contains("Apportez le carnet de santé."))
                let ics = try await browser.get(try #require(done.text.links(startingWith: "/prendre-rdv/confirme/").first { $0.hasSuffix(".ics") }))
                #expect(ics.headers[.contentType]?.hasPrefix("text/calendar") == true && ics.text.contains("BEGIN:VEVENT") && ics.text.contains("\r\n"))

                let mails = try await world.outbox(of: setup.tenant)
                let confirmationMail = try #require(mails.first { $0.subject.hasPrefix("Rendez-vous confirmé") })
                let manageURL = try #require(confirmationMail.body.path(of: "http"))
                let managePath = String(manageURL[try #require(manageURL.range(of: "/g/"))!.lowerBound...])

                // The link asks for the first letters of the name first.
                let other = Browser(app: app, host: setup.host)
                #expect(try await other.get(managePath).text.contains("trois premières lettres"))
                #expect(try await other.post(managePath, ["nom": "Dup"]).status == .unprocessableContent)
                let page = try await other.post(managePath, ["nom": "mar"])
                #expect(page.status == .ok && page.text.contains("Annuler le rendez-vous") && page.text.contains("Léa Martin"))
                let cancelled = try await other.post(managePath, ["nom": "MAR", "action": "annuler"])
                #expect(cancelled.text.contains("Votre rendez-vous est annulé"))
            }
            let (status, free) = try await world.database.tenant(setup.tenant).transaction { connection -> (String, [Date]) in
                var status = ""
                for try await value in try await connection.query("SELECT status FROM rdvs").decode(String.self) { status = value }
                let slots = try await SlotSearch(connection, tenant: setup.tenant).slots(motifID: setup.motifID, now: Date(), within: 14)
                return (status, slots.map(\.range.start))
            }
            #expect(status == "excused")
            #expect(free.contains(nine), "the slot is free again at once")
        }
    }

    @Test func aPartnerBooksForSomeoneWithoutEmailAndTheAgentSeesWhoDid() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                let partner = Browser(app: app, host: setup.host)
                try await partner.get(setup.detailsPath(at: "09:00"))
                let missing = try await partner.post("/prendre-rdv", setup.fields(at: "09:00", email: "", extra: ["prescripteur": "on"]))
                #expect(missing.status == .unprocessableContent && missing.text.contains("href=\"#prescripteur_structure\""))
                let sent = try await partner.post("/prendre-rdv", setup.fields(at: "09:00", email: "", extra: [
                    "prescripteur": "on", "prescripteur_nom": "Nadia Benali", "prescripteur_structure": "Centre social Jean Jaurès",
                    "prescripteur_contact": "nadia.benali@centre-social.example",
                ]))
                let location = try #require(sent.headers[.location])
                #expect(try await confirm(partner, request: location, world: world, tenant: setup.tenant, recipient: "nadia.benali@centre-social.example").status == .seeOther)
                let agent = Browser(app: app, host: setup.host)
                try await agent.signIn(setup.agent.email)
                let rdvID = try await world.database.tenant(setup.tenant).transaction { connection in
                    try #require(try await connection.query("SELECT id FROM rdvs").decode(UUID.self).first(where: { _ in true }))
                }
                let page = try await agent.get("/rdv/\(rdvID)")
                #expect(page.text.contains("En ligne, par l’usager") && page.text.contains("Nadia Benali, Centre social Jean Jaurès"))
            }
        }
    }

    @Test func withoutEmailTheCodeComesBySMS() async throws {
        try await TestWorld.run { world in
            let setup = try await OnlineSetup.make(world)
            try await world.withLiveApp { app in
                let browser = Browser(app: app, host: setup.host)
                try await browser.get(setup.detailsPath(at: "09:00"))
                let landline = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: "", extra: ["telephone": "01 23 45 67 89"]))
                #expect(landline.status == .unprocessableContent, "a landline cannot receive the code")
                let sent = try await browser.post("/prendre-rdv", setup.fields(at: "09:00", email: ""))
                let location = try #require(sent.headers[.location])
                #expect(try await browser.get(location).text.contains("par SMS à votre portable"))
                let sms = try #require(try await world.outbox(of: setup.tenant).first { $0.channel == "sms" })
                #expect(sms.recipient == "+33612345678" && SMSText.count(sms.body).segments == 1)
                let code = try #require(sms.body.confirmationCode)
                #expect(try await browser.post(location, ["code": code]).status == .seeOther)
                #expect(try await world.outbox(of: setup.tenant).contains { $0.channel == "sms" && $0.body.contains("RDV confirmé") })
            }
        }
    }
}
