import Foundation
import PostgresNIO
import Tenancy

/// Security events of a département. The département's role can only add and read them.
public struct AuditLog: Sendable {
    public enum Event: String, Sendable, CaseIterable {
        case signInSucceeded = "sign_in.succeeded"
        case signInFailed = "sign_in.failed"
        case signInThrottled = "sign_in.throttled"
        case signedOut = "sign_out"
        case signedOutEverywhere = "sign_out.everywhere"
        case sessionRevoked = "session.revoked"
        case passwordChanged = "password.changed"
        case passwordResetRequested = "password_reset.requested"
        case passwordReset = "password_reset.completed"
        case invitationSent = "invitation.sent"
        case invitationAccepted = "invitation.accepted"
        case roleChanged = "role.changed"
        case secondFactorEnabled = "second_factor.enabled"
        case secondFactorDisabled = "second_factor.disabled"
        case tenantDeclared = "tenant.declared"
        case tenantSuspended = "tenant.suspended"
        case tenantResumed = "tenant.active"
        case tenantLeaving = "tenant.leaving"
        case provisioningRequested = "tenant.provisioning_requested"
        case provisioningRetried = "tenant.provisioning_retried"
        case provisioningFailed = "tenant.provisioning_failed"
        case tenantProvisioned = "tenant.provisioned"
        case fileOverrodeConsole = "tenant.file_overrode_console"
        case exportRequested = "tenant.export_requested"
        case tenantExported = "tenant.exported"
        case exportFailed = "tenant.export_failed"
        case exportDownloaded = "tenant.export_downloaded"
        case dataExported = "data.exported"
        case accountDeleted = "account.deleted"
        // The partnership registry, on the console (and the file that overrode it).
        case censusChanged = "partnership.census_changed"
        case conventionSaved = "partnership.convention_saved"
        case conventionDeleted = "partnership.convention_deleted"
        case paymentRecorded = "partnership.payment_recorded"
        case paymentDeleted = "partnership.payment_deleted"
        case pilotSiteAdded = "partnership.pilot_site_added"
        case pilotSiteRemoved = "partnership.pilot_site_removed"
        case rulesChanged = "partnership.rules_changed"
        case expenseRecorded = "partnership.expense_recorded"
        case expenseChanged = "partnership.expense_changed"
        case expenseDeleted = "partnership.expense_deleted"
        case committeeRecorded = "partnership.committee_recorded"
        case committeeDeleted = "partnership.committee_deleted"
        case membershipFileOverride = "membership.file_override"
        case apiTokenCreated = "api_token.created"
        case apiTokenRevoked = "api_token.revoked"
        case calendarFeedCreated = "calendar_feed.created"
        case calendarFeedRegenerated = "calendar_feed.regenerated"
        case calendarFeedRevoked = "calendar_feed.revoked"
        case calendarFeedNamesChanged = "calendar_feed.names_changed"
        case rdvsExported = "export.rdvs"
        case usagersExported = "export.usagers"
        case usagersMerged = "usagers.merged"
        case usagersImported = "usagers.imported"
        case usagersImportUndone = "usagers.import_undone"

        public var frenchLabel: String {
            switch self {
            case .signInSucceeded: "Connexion réussie"
            case .signInFailed: "Échec de connexion"
            case .signInThrottled: "Connexion bloquée (trop d’échecs)"
            case .signedOut: "Déconnexion"
            case .signedOutEverywhere: "Déconnexion de tous les appareils"
            case .sessionRevoked: "Session fermée à distance"
            case .passwordChanged: "Mot de passe modifié"
            case .passwordResetRequested: "Réinitialisation du mot de passe demandée"
            case .passwordReset: "Mot de passe réinitialisé"
            case .invitationSent: "Invitation envoyée"
            case .invitationAccepted: "Invitation acceptée"
            case .roleChanged: "Rôle modifié"
            case .secondFactorEnabled: "Double authentification activée"
            case .secondFactorDisabled: "Double authentification désactivée"
            case .tenantDeclared: "Département déclaré ou mis à jour"
            case .tenantSuspended: "Département suspendu"
            case .tenantResumed: "Département rouvert"
            case .tenantLeaving: "Départ du département annoncé"
            case .provisioningRequested: "Ouverture d’un département demandée"
            case .provisioningRetried: "Ouverture d’un département relancée"
            case .provisioningFailed: "Ouverture d’un département interrompue"
            case .tenantProvisioned: "Département ouvert"
            case .fileOverrodeConsole: "Fichier TOML appliqué à la place des choix de la console"
            case .exportRequested: "Archive des données demandée"
            case .tenantExported: "Archive des données prête"
            case .exportFailed: "Archive des données en échec"
            case .exportDownloaded: "Archive des données téléchargée"
            case .dataExported: "Données personnelles téléchargées"
            case .accountDeleted: "Compte supprimé"
            case .censusChanged: "Population du département modifiée"
            case .conventionSaved: "Convention enregistrée"
            case .conventionDeleted: "Convention supprimée"
            case .paymentRecorded: "Paiement de contribution enregistré"
            case .paymentDeleted: "Paiement de contribution supprimé"
            case .pilotSiteAdded: "Site pilote ajouté"
            case .pilotSiteRemoved: "Site pilote retiré"
            case .rulesChanged: "Règles du consortium modifiées"
            case .expenseRecorded: "Dépense enregistrée"
            case .expenseChanged: "Dépense modifiée"
            case .expenseDeleted: "Dépense supprimée"
            case .committeeRecorded: "Réunion de comité consignée"
            case .committeeDeleted: "Réunion de comité supprimée"
            case .membershipFileOverride: "Adhésion remplacée par son fichier (--fichier-prioritaire)"
            case .apiTokenCreated: "Jeton d’API créé"
            case .apiTokenRevoked: "Jeton d’API révoqué"
            case .calendarFeedCreated: "Abonnement calendrier créé"
            case .calendarFeedRegenerated: "Adresse de l’abonnement calendrier renouvelée"
            case .calendarFeedRevoked: "Abonnement calendrier supprimé"
            case .calendarFeedNamesChanged: "Noms des usagers dans l’abonnement calendrier modifié"
            case .rdvsExported: "Export des RDV"
            case .usagersExported: "Export des usagers"
            case .usagersMerged: "Fusion de deux fiches d’usager"
            case .usagersImported: "Import d’usagers (fichier CSV)"
            case .usagersImportUndone: "Import d’usagers annulé"
            }
        }
    }

    public struct Entry: Sendable {
        public let occurredAt: Date
        public let event: Event
        public let actorName: String?
        public let subjectName: String?
        /// The département an operator's action was about (consortium realm only).
        public let departement: String?
    }

    let connection: any SQLSession
    let realm: AccountRealm

    public init(_ connection: any SQLSession, realm: AccountRealm = .agents) {
        self.connection = connection
        self.realm = realm
    }

    public func record(_ event: Event, actor: UUID? = nil, subject: UUID? = nil, ip: String? = nil) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: realm.audit) (action, \(unescaped: realm.auditActor), \(unescaped: realm.auditSubject), ip)
            VALUES (\(event.rawValue), \(actor), \(subject), \(ip)::inet)
            """
        )
    }

    /// An event with its details (a JSON object of ids, counts and criteria: never a name).
    public func record(_ event: Event, actor: UUID?, details: [String: String], ip: String?) async throws {
        let json = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO \(unescaped: realm.audit) (action, \(unescaped: realm.auditActor), ip, details)
            VALUES (\(event.rawValue), \(actor), \(ip)::inet, \(json)::jsonb)
            """
        )
    }

    /// An operator's action in the consortium journal, with the département it concerned.
    public func record(_ event: Event, actor: UUID, tenantID: Int?, ip: String?) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: realm.audit) (action, \(unescaped: realm.auditActor), tenant_id, ip)
            VALUES (\(event.rawValue), \(actor), \(tenantID), \(ip)::inet)
            """
        )
    }

    /// The latest events, newest first; in the consortium realm, `tenantID` keeps those about one département.
    public func recent(limit: Int = 200, tenantID: Int? = nil) async throws -> [Entry] {
        // Only the consortium's journal names a département.
        let tenantColumn = realm.role == nil ? "NULL::integer" : "e.tenant_id"
        let rows = try await connection.query(
            """
            SELECT e.occurred_at, e.action, actor.first_name || ' ' || actor.last_name, subject.first_name || ' ' || subject.last_name,
                   \(unescaped: realm.role == nil ? "NULL::text" : "(SELECT t.name FROM shared.tenants t WHERE t.id = e.tenant_id)")
            FROM \(unescaped: realm.audit) e
            LEFT JOIN \(unescaped: realm.accounts) actor ON actor.id = e.\(unescaped: realm.auditActor)
            LEFT JOIN \(unescaped: realm.accounts) subject ON subject.id = e.\(unescaped: realm.auditSubject)
            WHERE (\(tenantID)::integer IS NULL OR \(unescaped: tenantColumn) = \(tenantID))
            ORDER BY e.id DESC LIMIT \(limit)
            """
        )
        var entries: [Entry] = []
        for try await (at, action, actor, subject, departement) in rows.decode((Date, String, String?, String?, String?).self) {
            guard let event = Event(rawValue: action) else { continue }
            entries.append(Entry(occurredAt: at, event: event, actorName: actor, subjectName: subject, departement: departement))
        }
        return entries
    }
}
