import Agenda
import Booking
import Foundation
import Identity
import Scheduling

/// The JSON of each resource, in one place: the handlers and the OpenAPI document's schemas
/// follow these names (snake_case, the domain's French words kept: motif, lieu, usager).
struct APIRepresentations {
    let time: APITime

    func agent(_ agent: Agent) -> [String: Any] {
        [
            "id": agent.id.uuidString.lowercased(), "first_name": agent.firstName, "last_name": agent.lastName, "email": agent.email,
            "role": agent.role.rawValue, "organisation_id": agent.organisationID.map { $0.uuidString.lowercased() } ?? NSNull(),
            "active": !agent.disabled,
        ]
    }

    func token(_ token: APIToken) -> [String: Any] {
        [
            "id": token.id.uuidString.lowercased(), "name": token.name, "scopes": token.scopes.map(\.rawValue).sorted(),
            "expires_at": time.string(token.expiresAt),
        ]
    }

    func organisation(_ organisation: Organisation) -> [String: Any] {
        ["id": organisation.id.uuidString.lowercased(), "name": organisation.name]
    }

    func motif(_ motif: Motif) -> [String: Any] {
        [
            "id": motif.id.uuidString.lowercased(), "organisation_id": motif.organisationID.uuidString.lowercased(), "name": motif.name,
            "duration_minutes": motif.durationMinutes, "collective": motif.collective, "default_capacity": motif.defaultCapacity ?? NSNull(),
        ]
    }

    func lieu(_ lieu: Lieu) -> [String: Any] {
        [
            "id": lieu.id.uuidString.lowercased(), "organisation_id": lieu.organisationID.uuidString.lowercased(), "name": lieu.name,
            "address": lieu.address, "phone": lieu.phone ?? NSNull(), "status": lieu.status.rawValue,
        ]
    }

    func rdv(_ rdv: RdvRecord) -> [String: Any] {
        [
            "id": rdv.id.uuidString.lowercased(),
            "starts_at": time.string(rdv.range.start), "ends_at": time.string(rdv.range.end),
            "duration_minutes": Int(rdv.range.end.timeIntervalSince(rdv.range.start) / 60),
            "status": rdv.status.rawValue,
            "motif": ["id": rdv.motifID.uuidString.lowercased(), "name": rdv.motifName],
            "organisation_id": rdv.organisationID.uuidString.lowercased(),
            "lieu_id": rdv.lieuID.map { $0.uuidString.lowercased() } ?? NSNull(),
            "agent_ids": rdv.agentIDs.map { $0.uuidString.lowercased() },
            "participants": rdv.participants.map {
                ["usager_id": $0.usagerID.uuidString.lowercased(), "first_name": $0.firstName, "last_name": $0.lastName, "status": $0.status.rawValue]
            },
            "capacity": rdv.capacity ?? NSNull(),
            "notes": rdv.notes,
            "created_by": rdv.createdBy,
            "created_at": time.string(rdv.createdAt),
            "confirmation": rdv.confirmation?.rawValue ?? NSNull(),
        ]
    }

    func usager(_ usager: Usager) -> [String: Any] {
        [
            "id": usager.id.uuidString.lowercased(), "first_name": usager.firstName, "last_name": usager.lastName,
            "birth_date": usager.birthDate?.description ?? NSNull(), "email": usager.email ?? NSNull(), "phone": usager.phone ?? NSNull(),
            "responsible_id": usager.responsibleID.map { $0.uuidString.lowercased() } ?? NSNull(), "address": usager.address ?? NSNull(),
        ]
    }

    func slot(_ slot: AvailableSlot, motifID: UUID) -> [String: String] {
        [
            "starts_at": time.string(slot.range.start), "ends_at": time.string(slot.range.end),
            "agent_id": slot.agentID.uuidString.lowercased(), "lieu_id": slot.lieuID.uuidString.lowercased(),
            "motif_id": motifID.uuidString.lowercased(),
        ]
    }

    func hold(_ hold: SlotHold) -> [String: Any] {
        [
            "id": hold.id.uuidString.lowercased(), "starts_at": time.string(hold.range.start), "ends_at": time.string(hold.range.end),
            "agent_id": hold.agentID.uuidString.lowercased(), "lieu_id": hold.lieuID.uuidString.lowercased(),
            "motif_id": hold.motifID.uuidString.lowercased(), "expires_at": time.string(hold.expiresAt),
        ]
    }

    func span(_ span: RecurringSpan) -> [String: Any] {
        let recurrence = (try? JSONSerialization.jsonObject(with: Data(span.recurrence.json.utf8))) ?? ["kind": "once"]
        return [
            "first_day": span.firstDay.description, "start_time": span.start.description, "end_time": span.end.description,
            "recurrence": recurrence,
            "exceptions": span.exceptions.keys.sorted().map { day -> [String: Any] in
                switch span.exceptions[day]! {
                case .cancelled: return ["day": day.description, "cancelled": true]
                case .moved(let date, let start, let end):
                    return ["day": day.description, "cancelled": false, "moved_to": ["day": date.description, "start_time": start.description, "end_time": end.description]]
                }
            },
        ]
    }

    func plage(_ plage: Plage) -> [String: Any] {
        span(plage.span).merging([
            "id": plage.id.uuidString.lowercased(), "agent_id": plage.agentID.uuidString.lowercased(), "lieu_id": plage.lieuID.uuidString.lowercased(),
            "motif_ids": plage.motifIDs.map { $0.uuidString.lowercased() }.sorted(),
        ]) { $1 }
    }

    func absence(_ absence: Absence, agentID: UUID) -> [String: Any] {
        span(absence.span).merging(["id": absence.id.uuidString.lowercased(), "agent_id": agentID.uuidString.lowercased(), "title": absence.title]) { $1 }
    }
}
