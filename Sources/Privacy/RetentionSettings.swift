import Foundation
import PostgresNIO
import Tenancy

/// How long a département keeps personal data (table `retention_settings`), chosen by its
/// administrators within bounds that keep the service usable and the journals meaningful.
public struct RetentionSettings: Sendable, Hashable {
    /// Appointments ended longer ago than this are deleted.
    public var rdvMonths: Int
    /// Usagers with no appointment left, no relative kept and no change for this long are deleted.
    public var usagerMonths: Int
    /// Contents and receipts of messages older than this are anonymised.
    public var messageMonths: Int
    /// Agents without a sign-in, API use or appointment for this long are warned…
    public var agentMonths: Int
    /// …then deactivated this many days after the warning, unless they came back.
    public var agentNoticeDays: Int
    /// The access trail and the addresses in the journal are kept this long.
    public var trailMonths: Int
    /// API call records are kept this many days.
    public var apiCallDays: Int

    public static let standard = RetentionSettings(
        rdvMonths: 24, usagerMonths: 24, messageMonths: 6, agentMonths: 24, agentNoticeDays: 30, trailMonths: 12, apiCallDays: 180
    )

    public init(rdvMonths: Int, usagerMonths: Int, messageMonths: Int, agentMonths: Int, agentNoticeDays: Int, trailMonths: Int, apiCallDays: Int) {
        self.rdvMonths = rdvMonths
        self.usagerMonths = usagerMonths
        self.messageMonths = messageMonths
        self.agentMonths = agentMonths
        self.agentNoticeDays = agentNoticeDays
        self.trailMonths = trailMonths
        self.apiCallDays = apiCallDays
    }

    /// Each setting: its form field, French label, unit and bounds (the table's CHECKs say the same).
    public struct Field: Sendable {
        public let name: String
        public let label: String
        public let unit: String
        public let range: ClosedRange<Int>
        public let keyPath: any WritableKeyPath<RetentionSettings, Int> & Sendable
    }

    public static let fields: [Field] = [
        Field(name: "rdv_months", label: "Rendez-vous terminés depuis plus de", unit: "mois", range: 6...120, keyPath: \.rdvMonths),
        Field(name: "usager_months", label: "Usagers sans rendez-vous ni modification depuis plus de", unit: "mois", range: 6...120, keyPath: \.usagerMonths),
        Field(name: "message_months", label: "Contenu des messages (courriels, SMS, webhooks) de plus de", unit: "mois", range: 1...60, keyPath: \.messageMonths),
        Field(name: "agent_months", label: "Agents sans connexion ni rendez-vous depuis plus de", unit: "mois", range: 6...120, keyPath: \.agentMonths),
        Field(name: "agent_notice_days", label: "Délai entre l’avertissement et la désactivation d’un agent", unit: "jours", range: 7...180, keyPath: \.agentNoticeDays),
        Field(name: "trail_months", label: "Traces d’accès aux dossiers et adresses IP des journaux", unit: "mois", range: 6...60, keyPath: \.trailMonths),
        Field(name: "api_call_days", label: "Journal des appels à l’API", unit: "jours", range: 30...730, keyPath: \.apiCallDays),
    ]

    /// Reads a submitted form; every field must be a whole number within its bounds.
    public static func parse(_ form: [String: String]) throws(RetentionSettingsError) -> RetentionSettings {
        var settings = RetentionSettings.standard
        var wrong: [String] = []
        for field in fields {
            let text = (form[field.name] ?? "").trimmingCharacters(in: .whitespaces)
            guard let value = Int(text), field.range.contains(value) else {
                wrong.append("« \(field.label) » : un nombre de \(field.range.lowerBound) à \(field.range.upperBound) \(field.unit).")
                continue
            }
            settings[keyPath: field.keyPath] = value
        }
        guard wrong.isEmpty else { throw RetentionSettingsError(fields: wrong) }
        return settings
    }

    public static func load(_ connection: TenantConnection) async throws -> RetentionSettings {
        for try await row in try await connection.query(
            """
            SELECT rdv_months, usager_months, message_months, agent_months, agent_notice_days, trail_months, api_call_days
            FROM retention_settings
            """
        ).decode((Int, Int, Int, Int, Int, Int, Int).self) {
            return RetentionSettings(
                rdvMonths: row.0, usagerMonths: row.1, messageMonths: row.2, agentMonths: row.3, agentNoticeDays: row.4,
                trailMonths: row.5, apiCallDays: row.6
            )
        }
        return .standard
    }

    public func save(_ connection: TenantConnection) async throws {
        try await connection.query(
            """
            UPDATE retention_settings SET rdv_months = \(rdvMonths), usager_months = \(usagerMonths), message_months = \(messageMonths),
                agent_months = \(agentMonths), agent_notice_days = \(agentNoticeDays), trail_months = \(trailMonths),
                api_call_days = \(apiCallDays), updated_at = now()
            """
        )
    }
}

/// A retention form with values out of bounds: one French sentence per field.
public struct RetentionSettingsError: DomainError, Equatable {
    public let fields: [String]
    public var refusal: Refusal { .invalid }
    public var title: String { "Durées de conservation invalides" }
    public var french: String { fields.joined(separator: " ") }
}
