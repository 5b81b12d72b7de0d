import Foundation
import Testing
@testable import Booking

@Suite struct SectorisationLevelTests {
    let organisation = UUID(), other = UUID(), agent = UUID(), colleague = UUID()

    var match: SectorMatch {
        SectorMatch(
            sector: Sector(id: UUID(), name: "Nord"), level: .commune,
            organisations: [.init(id: organisation, name: "MDS Arras")],
            agents: [.init(id: agent, name: "Camille Agent", organisationID: other, organisationName: "PMI de Lens")]
        )
    }

    @Test func departementLevelAdmitsEveryone() {
        #expect(SectorisationLevel.departement.admits(nil, organisationID: other, agentID: colleague))
    }

    @Test func organisationLevelAdmitsOnlyOrganisationsOfTheSector() {
        #expect(SectorisationLevel.organisation.admits(match, organisationID: organisation, agentID: colleague))
        #expect(!SectorisationLevel.organisation.admits(match, organisationID: other, agentID: agent))
        #expect(!SectorisationLevel.organisation.admits(nil, organisationID: organisation, agentID: colleague))
    }

    @Test func agentLevelAdmitsOnlyAgentsOfTheSector() {
        #expect(SectorisationLevel.agent.admits(match, organisationID: other, agentID: agent))
        #expect(!SectorisationLevel.agent.admits(match, organisationID: organisation, agentID: colleague))
        #expect(!SectorisationLevel.agent.admits(match, organisationID: organisation, agentID: agent))
    }
}
