import Agenda
import Foundation
import Identity
import PostgresNIO
import Tenancy

/// What happens to one line of an import.
public enum UsagerImportChoice: Sendable, Hashable {
    /// A new record.
    case create
    /// The line completes this existing record of the same person: what it lacks (birth date,
    /// contacts, address) is filled in, the referent added, nothing it holds replaced.
    case complete(UUID)
    /// The line is left out.
    case skip
}

/// What to do with the lines that look like a record already there (same names and birth date).
public enum UsagerImportKnownPolicy: String, Sendable, CaseIterable {
    case complete = "completer", create = "creer", skip = "ignorer"
}

/// A line of the file with the records that may be the same person.
public struct UsagerImportCandidate: Sendable {
    public let line: UsagerImportLine
    /// Same names and birth date: most likely the same person.
    public let samePerson: [Usager]
    /// Only the same phone or email: a relative sharing a phone, or the same person renamed.
    public let sameContact: [Usager]

    public var all: [Usager] { samePerson + sameContact }

    /// What the line becomes unless the agent chooses otherwise for it.
    public func choice(known policy: UsagerImportKnownPolicy) -> UsagerImportChoice {
        guard let existing = samePerson.first else { return .create }
        switch policy {
        case .complete: return .complete(existing.id)
        case .create: return .create
        case .skip: return .skip
        }
    }
}

/// Why an import did not run; nothing of it was written.
public enum UsagerImportError: DomainError, Equatable {
    /// The record a line was to complete is no longer a likely duplicate (changed or deleted
    /// since the preview).
    case staleChoice(line: Int)
    /// A line left out while a relative of another line depends on it.
    case responsibleLeftOut(line: Int, relative: Int)

    public var refusal: Refusal { .conflict }
    public var title: String { "Import à revoir" }
    public var french: String {
        switch self {
        case .staleChoice(let line): "La fiche choisie pour la ligne \(line) a changé depuis l’aperçu : vérifiez de nouveau le fichier."
        case .responsibleLeftOut(let line, let relative):
            "La ligne \(line) est laissée de côté alors que la personne de la ligne \(relative) en dépend : importez-la, ou laissez aussi la ligne \(relative) de côté."
        }
    }
}

/// The counts of a finished import and the records it touched.
public struct UsagerImportSummary: Sendable, Equatable {
    /// The import's entry in the log, to undo it.
    public var importID = UUID()
    public var created: [UUID] = []
    public var completed: [UUID] = []
    public var skipped = 0
}

/// Bulk import of usagers, shared by the page and `rdv usagers import`: a preview naming the
/// likely duplicates, then all the lines or none, in the caller's transaction.
public struct UsagerImport: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// The département's agents a referent column may name.
    public func agents() async throws -> [Agent] {
        try await AgentRepository(connection).all(in: nil)
    }

    /// Each line with the existing records that may be the same person, in one reading.
    public func candidates(_ lines: [UsagerImportLine]) async throws -> [UsagerImportCandidate] {
        let found = try await UsagerRepository(connection).duplicateCandidates(of: lines.map(\.identity))
        return zip(lines, found).map { line, records in
            let key = UsagerNameKey(line.identity.firstName, line.identity.lastName, line.identity.birthDate)
            let same = records.filter { UsagerNameKey($0.firstName, $0.lastName, $0.birthDate) == key }
            return UsagerImportCandidate(line: line, samePerson: same, sameContact: records.filter { !same.contains($0) })
        }
    }

    /// Imports every line: `choices` (by line number) override `known` for the lines an agent
    /// looked at. A `complete` choice must still name one of the line's likely duplicates.
    public func run(
        _ lines: [UsagerImportLine], known: UsagerImportKnownPolicy, choices: [Int: UsagerImportChoice] = [:], actor: UUID?, ip: String?
    ) async throws -> UsagerImportSummary {
        var summary = UsagerImportSummary()
        var created: [UsagerRepository.NewRecord] = []
        var referents: [(usagerID: UUID, agentID: UUID)] = []
        let usagers = UsagerRepository(connection)
        // The responsible people first: their relatives point to them.
        let all = try await candidates(lines)
        let ordered = all.filter { $0.line.responsibleLine == nil } + all.filter { $0.line.responsibleLine != nil }
        var recordOfLine: [Int: UUID] = [:]
        var attachments: [(usagerID: UUID, responsibleID: UUID)] = []
        for candidate in ordered {
            let line = candidate.line
            let choice = choices[line.line] ?? candidate.choice(known: known)
            var responsibleID: UUID?
            if let target = line.responsibleLine, choice != .skip {
                guard let id = recordOfLine[target] else { throw UsagerImportError.responsibleLeftOut(line: target, relative: line.line) }
                responsibleID = id
            }
            let usagerID: UUID
            switch choice {
            case .skip:
                summary.skipped += 1
                continue
            case .create:
                usagerID = UUID()
                created.append(.init(id: usagerID, identity: line.identity, address: line.address, responsibleID: responsibleID))
                summary.created.append(usagerID)
            case .complete(let existing):
                guard candidate.all.contains(where: { $0.id == existing }) else { throw UsagerImportError.staleChoice(line: line.line) }
                try await usagers.fillMissing(
                    of: existing, birthDate: line.identity.birthDate, phone: line.identity.phone, email: line.identity.email, address: line.address
                )
                if let responsibleID { attachments.append((existing, responsibleID)) }
                usagerID = existing
                summary.completed.append(existing)
            }
            recordOfLine[line.line] = usagerID
            if let referent = line.referentID { referents.append((usagerID, referent)) }
        }
        try await usagers.createAll(created)
        try await log(summary, actor: actor)
        for attachment in attachments { try await usagers.attachIfFree(attachment.usagerID, to: attachment.responsibleID) }
        try await usagers.addReferents(referents)
        try await AuditLog(connection).record(
            .usagersImported, actor: actor,
            details: ["created": String(summary.created.count), "completed": String(summary.completed.count), "skipped": String(summary.skipped)], ip: ip
        )
        return summary
    }

    /// Writes the import and the records it created to the log that undoing reads.
    private func log(_ summary: UsagerImportSummary, actor: UUID?) async throws {
        try await connection.query(
            """
            INSERT INTO usager_imports (id, agent_id, created_count, completed_count, skipped_count)
            VALUES (\(summary.importID), \(actor), \(summary.created.count), \(summary.completed.count), \(summary.skipped))
            """
        )
        guard !summary.created.isEmpty else { return }
        try await connection.query(
            "INSERT INTO usager_import_records (import_id, usager_id) SELECT \(summary.importID), unnest(\(summary.created)::uuid[])"
        )
    }
}
