import Agenda
@testable import Booking
import Foundation
import Testing

/// What the usager's link allows, at every distance from the appointment: the page and the
/// action read the same rights, so their edges are the motif's deadlines exactly.
@Suite struct OnlineChangeRightsTests {
    let now = Date(timeIntervalSince1970: 1_900_000_000)

    func rdv(in seconds: TimeInterval, status: RdvStatus = .unknown, collective: Bool = false) -> PublicRdv {
        PublicRdv(
            id: UUID(), motifID: UUID(), motifName: "Accueil", lieuID: UUID(), lieuName: nil, lieuAddress: nil,
            start: now.addingTimeInterval(seconds), end: now.addingTimeInterval(seconds + 1800), status: status, collective: collective,
            agentIDs: [UUID()], attendeeID: UUID(), attendeeFirstName: "Léa", attendeeLastName: "Martin", accountIDs: []
        )
    }

    var rules: MotifRules {
        var rules = MotifRules(name: "Accueil", serviceID: UUID(), durationMinutes: 30)
        rules.cancellationDeadlineMinutes = 4 * 60
        rules.moveDeadlineMinutes = 48 * 60
        return rules
    }

    @Test func theDeadlinesAreTheEdges() {
        let hour: TimeInterval = 3600
        let justBeforeCancelDeadline = OnlineChangeRights(rdv(in: 4 * hour + 1), rules: rules, motifArchived: false, now: now)
        #expect(justBeforeCancelDeadline.mayCancel && !justBeforeCancelDeadline.mayMove && !justBeforeCancelDeadline.mayWait)
        let atCancelDeadline = OnlineChangeRights(rdv(in: 4 * hour), rules: rules, motifArchived: false, now: now)
        #expect(!atCancelDeadline.mayCancel && atCancelDeadline.coming)
        let beforeMoveDeadline = OnlineChangeRights(rdv(in: 48 * hour + 1), rules: rules, motifArchived: false, now: now)
        #expect(beforeMoveDeadline.mayCancel && beforeMoveDeadline.mayMove && !beforeMoveDeadline.mayWait)
        let aWeekAndASecond = OnlineChangeRights(rdv(in: 7 * 24 * hour + 1), rules: rules, motifArchived: false, now: now)
        #expect(aWeekAndASecond.mayWait)
        #expect(!OnlineChangeRights(rdv(in: 7 * 24 * hour), rules: rules, motifArchived: false, now: now).mayWait)
    }

    @Test func pastCancelledCollectiveArchivedAndClosedMotifs() {
        let far: TimeInterval = 30 * 86_400
        let past = OnlineChangeRights(rdv(in: -60), rules: rules, motifArchived: false, now: now)
        #expect(!past.coming && !past.mayCancel && !past.mayMove && !past.mayWait)
        for status in [RdvStatus.excused, .revoked, .seen, .noshow] {
            let done = OnlineChangeRights(rdv(in: far, status: status), rules: rules, motifArchived: false, now: now)
            #expect(!done.coming && !done.mayCancel && !done.mayMove && !done.mayWait, "\(status)")
        }
        let collective = OnlineChangeRights(rdv(in: far, collective: true), rules: rules, motifArchived: false, now: now)
        #expect(collective.mayCancel && !collective.withinMoveRules && !collective.mayMove && collective.mayWait)
        let archived = OnlineChangeRights(rdv(in: far), rules: rules, motifArchived: true, now: now)
        #expect(archived.mayCancel && archived.withinMoveRules && !archived.mayMove && !archived.mayWait, "an archived motif's appointment still cancels")
        var closed = rules
        closed.cancellableByUsager = false
        closed.movableByUsager = false
        let locked = OnlineChangeRights(rdv(in: far), rules: closed, motifArchived: false, now: now)
        #expect(!locked.mayCancel && !locked.mayMove && locked.mayWait)
    }

    /// Over a sweep of distances and deadlines, each right is exactly its rule.
    @Test func eachRightIsItsRuleAtEveryDistance() {
        for deadline in stride(from: 0, through: 72 * 60, by: 360) {
            var rules = self.rules
            rules.cancellationDeadlineMinutes = deadline
            rules.moveDeadlineMinutes = 72 * 60 - deadline
            for minutes in stride(from: -120, through: 10 * 24 * 60, by: 53) {
                let ahead = TimeInterval(minutes * 60)
                let rights = OnlineChangeRights(rdv(in: ahead), rules: rules, motifArchived: false, now: now)
                #expect(rights.coming == (ahead > 0))
                #expect(rights.mayCancel == (ahead > 0 && ahead > TimeInterval(deadline * 60)))
                #expect(rights.mayMove == (ahead > 0 && ahead > TimeInterval(rules.moveDeadlineMinutes * 60)))
                #expect(rights.mayWait == (ahead > 7 * 86_400))
            }
        }
    }
}
