import Agenda
import Foundation
import PostgresNIO
import TestSupport
@testable import Tenancy

/// A small dataset with hand-computed figures, in January 2026 (Paris time, UTC+1), written as
/// the agenda, the booking pages and the message queue write it.
///
/// Département A: eight appointments of two agents (RDV 1 to 7 on the 12th, RDV 8 booked and
/// held on the 13th): three booked by an agent, three online, one by the waiting list (taking
/// the slot RDV 5's usager freed), one through the API; 3 seen, 2 no-shows (one after an SMS
/// reminder), 1 excused, 1 revoked; two offers sent on the 10th, one taken.
/// Département B: six appointments booked by its one agent on the 5th, all seen on the 12th.
struct StatisticsFixture: Sendable {
    let a: Tenant
    let b: Tenant
    /// RDV 8 of A, booked and held on 13 January.
    let lateRdv: UUID

    static func make(_ world: TestWorld) async throws -> StatisticsFixture {
        let a = try await world.makeTenant(name: "Alpha")
        let b = try await world.makeTenant(name: "Bêta")
        let inA = try await Place.make(world, a, agents: 2)
        let inB = try await Place.make(world, b, agents: 1)
        let r1 = try await inA.rdv(created: "2026-01-05 09:00", starts: "2026-01-12 10:00", by: "agent", status: "seen", agent: 0)
        let r2 = try await inA.rdv(created: "2026-01-06 09:00", starts: "2026-01-12 10:30", by: "usager", status: "seen", agent: 0)
        let r3 = try await inA.rdv(created: "2026-01-06 10:00", starts: "2026-01-12 11:00", by: "usager", status: "noshow", agent: 0)
        _ = try await inA.rdv(created: "2026-01-07 09:00", starts: "2026-01-12 11:30", by: "agent", status: "noshow", agent: 1)
        let r5 = try await inA.rdv(created: "2026-01-07 10:00", starts: "2026-01-12 14:00", by: "usager", status: "excused", agent: 1)
        let r6 = try await inA.rdv(created: "2026-01-10 12:00", starts: "2026-01-12 14:00", by: "waiting_list", status: "seen", agent: 1)
        _ = try await inA.rdv(created: "2026-01-08 09:00", starts: "2026-01-12 15:00", by: "api", status: "revoked", agent: 0)
        let late = try await inA.rdv(created: "2026-01-13 08:00", starts: "2026-01-13 11:00", by: "agent", status: "unknown", agent: 0)
        try await inA.message(r1, kind: "reminder", channel: "email", sent: "2026-01-10 10:00", state: "sent")
        try await inA.message(r3, kind: "reminder", channel: "sms", sent: "2026-01-10 10:00", state: "delivered", segments: 2)
        try await inA.message(r2, kind: "confirmation", channel: "email", sent: "2026-01-06 09:01", state: "sent")
        try await inA.message(r3, kind: "confirmation", channel: "sms", sent: "2026-01-06 10:01", state: "sent", segments: 1)
        try await inA.message(r5, kind: "reminder", channel: "sms", sent: nil, state: "dead")
        try await inA.offers(created: "2026-01-10 11:00", waitingFor: r5, taken: r6)
        for index in 0..<6 {
            _ = try await inB.rdv(created: "2026-01-05 09:0\(index)", starts: String(format: "2026-01-12 %02d:00", index + 8), by: "agent", status: "seen", agent: 0)
        }
        return StatisticsFixture(a: a, b: b, lateRdv: late)
    }

    /// An organisation with a lieu, a motif and agents, and a way to write appointments.
    struct Place: Sendable {
        let world: TestWorld
        let tenant: Tenant
        let agents: [UUID]
        let lieu: UUID
        let motif: UUID

        static func make(_ world: TestWorld, _ tenant: Tenant, agents count: Int) async throws -> Place {
            let organisation = try await world.makeOrganisation(in: tenant)
            var agents: [UUID] = []
            for _ in 0..<count { agents.append(try await world.makeAgent(in: tenant, role: .agent, organisation: organisation).id) }
            let (lieu, motif) = try await world.makeLieuAndMotif(in: tenant, organisation: organisation)
            return Place(world: world, tenant: tenant, agents: agents, lieu: lieu, motif: motif)
        }

        /// An appointment of one new usager, created and last changed at `created` (Paris time).
        func rdv(created: String, starts: String, by origin: String, status: String, agent: Int) async throws -> UUID {
            let agentID = agents[agent]
            let (lieu, motif) = (self.lieu, self.motif)
            return try await world.database.tenant(tenant).transaction { connection in
                let created = created + "+01", starts = starts + "+01"
                let usager = try await connection.returnedID("INSERT INTO usagers (first_name, last_name) VALUES ('Camille', 'Usager') RETURNING id")
                let rdv = try await connection.returnedID("""
                    INSERT INTO rdvs (motif_id, lieu_id, starts_at, ends_at, status, created_by, created_at, updated_at)
                    VALUES (\(motif), \(lieu), \(starts)::timestamptz, \(starts)::timestamptz + interval '30 minutes', \(status), \(origin),
                            \(created)::timestamptz, \(created)::timestamptz)
                    RETURNING id
                    """)
                try await connection.query("""
                    INSERT INTO rdv_agents (rdv_id, agent_id, during, active)
                    VALUES (\(rdv), \(agentID), tstzrange(\(starts)::timestamptz, \(starts)::timestamptz + interval '30 minutes', '[)'),
                            \(status) NOT IN ('excused', 'revoked'))
                    """)
                try await connection.query("INSERT INTO rdv_participants (rdv_id, usager_id, status) VALUES (\(rdv), \(usager), \(status))")
                try await connection.query("INSERT INTO rdv_events (rdv_id, action, occurred_at) VALUES (\(rdv), 'created', \(created)::timestamptz)")
                return rdv
            }
        }

        /// A message about `rdv`, sent at `sent` (or never), with its delivery attempt.
        func message(_ rdv: UUID, kind: String, channel: String, sent: String?, state: String, segments: Int? = nil) async throws {
            try await world.database.tenant(tenant).transaction { connection in
                let sent = sent.map { $0 + "+01" }
                let id = try await connection.returnedID("""
                    INSERT INTO messages (channel, kind, recipient, body, rdv_id, state, segments, sent_at, created_at)
                    VALUES (\(channel), \(kind), 'personne@exemple.fr', 'Rappel', \(rdv), \(state), \(segments), \(sent)::timestamptz,
                            coalesce(\(sent)::timestamptz, '2026-01-05 00:00+01'))
                    RETURNING id
                    """)
                try await connection.query("""
                    INSERT INTO message_attempts (message_id, outcome, attempted_at)
                    VALUES (\(id), \(sent == nil ? "permanent_failure" : "sent"), coalesce(\(sent)::timestamptz, '2026-01-05 00:00+01'))
                    """)
            }
        }

        /// Two waiting-list offers made at `created` for the slot `freed` left: one taken by `taken`.
        func offers(created: String, waitingFor freed: UUID, taken: UUID) async throws {
            let (lieu, motif) = (self.lieu, self.motif)
            try await world.database.tenant(tenant).transaction { connection in
                let created = created + "+01"
                for index in 0..<2 {
                    let entry = try await connection.returnedID("""
                        INSERT INTO waiting_list (motif_id, lieu_id, details, token_hash, created_at)
                        VALUES (\(motif), \(lieu), '{}', decode(md5(random()::text), 'hex'), '2026-01-02 09:00+01')
                        RETURNING id
                        """)
                    let offer = try await connection.returnedID("""
                        INSERT INTO waiting_list_offers (entry_id, lieu_id, starts_at, token_hash, expires_at, created_at)
                        SELECT \(entry), \(lieu), starts_at, decode(md5(random()::text), 'hex'), \(created)::timestamptz + interval '1 hour',
                               \(created)::timestamptz
                        FROM rdvs WHERE id = \(freed)
                        RETURNING id
                        """)
                    if index == 0 {
                        // As WaitingList.take does; the trigger of migration 0017 stamps taken_at.
                        try await connection.query("UPDATE waiting_list_offers SET taken_rdv_id = \(taken) WHERE id = \(offer)")
                    }
                }
            }
        }
    }
}

