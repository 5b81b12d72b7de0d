import Foundation
import PostgresNIO
import Tenancy

/// How a département notifies (table `notification_settings`).
public struct NotificationSettings: Sendable, Hashable {
    public var senderName: String
    public var smsEnabled: Bool
    public var smsProvider: String
    public var smsEndpoint: String
    public var smsSender: String
    public var hasSMSKey: Bool
    public var reminderPolicy: ReminderPolicy
    public var smsDailyCap: Int
    public var emailDailyCap: Int
    /// For the generic provider: the key's header, the body template, the id field of the answer.
    public var smsKeyHeader = "X-API-Key"
    public var smsBodyTemplate = ""
    public var smsIDField = "id"
    /// An unconfirmed appointment of a motif that asks for it may be released to the waiting list.
    public var confirmationReleaseAllowed = false

    public init(
        senderName: String, smsEnabled: Bool, smsProvider: String, smsEndpoint: String, smsSender: String, hasSMSKey: Bool,
        reminderPolicy: ReminderPolicy, smsDailyCap: Int, emailDailyCap: Int
    ) {
        self.senderName = senderName
        self.smsEnabled = smsEnabled
        self.smsProvider = smsProvider
        self.smsEndpoint = smsEndpoint
        self.smsSender = smsSender
        self.hasSMSKey = hasSMSKey
        self.reminderPolicy = reminderPolicy
        self.smsDailyCap = smsDailyCap
        self.emailDailyCap = emailDailyCap
    }

    public static func load(_ connection: TenantConnection) async throws -> NotificationSettings {
        for try await (sender, enabled, provider, endpoint, smsSender, hasKey, policy, smsCap, emailCap, keyHeader, template, idField, release) in try await connection.query(
            """
            SELECT sender_name, sms_enabled, sms_provider, sms_endpoint, sms_sender, sms_api_key_sealed IS NOT NULL,
                   reminder_policy::text, sms_daily_cap, email_daily_cap, sms_key_header, sms_body_template, sms_id_field,
                   confirmation_release_allowed
            FROM notification_settings
            """
        ).decode((String, Bool, String, String, String, Bool, String, Int, Int, String, String, String, Bool).self) {
            var settings = NotificationSettings(
                senderName: sender, smsEnabled: enabled, smsProvider: provider, smsEndpoint: endpoint, smsSender: smsSender, hasSMSKey: hasKey,
                reminderPolicy: (try? JSONDecoder().decode(ReminderPolicy.self, from: Data(policy.utf8))) ?? .standard,
                smsDailyCap: smsCap, emailDailyCap: emailCap
            )
            (settings.smsKeyHeader, settings.smsBodyTemplate, settings.smsIDField) = (keyHeader, template, idField)
            settings.confirmationReleaseAllowed = release
            return settings
        }
        return NotificationSettings(
            senderName: "", smsEnabled: true, smsProvider: "sandbox", smsEndpoint: "", smsSender: "", hasSMSKey: false,
            reminderPolicy: .standard, smsDailyCap: 8, emailDailyCap: 20
        )
    }
}

extension NotificationSettings {
    /// Saves the settings; the API key changes only when a new one is given (it is never read back).
    public func save(_ connection: TenantConnection, sealedKey: Data?) async throws {
        let policy = String(decoding: (try? JSONEncoder().encode(reminderPolicy)) ?? Data("[]".utf8), as: UTF8.self)
        try await connection.query(
            """
            UPDATE notification_settings SET sender_name = \(senderName), sms_enabled = \(smsEnabled), sms_provider = \(smsProvider),
                sms_endpoint = \(smsEndpoint), sms_sender = \(smsSender), sms_api_key_sealed = coalesce(\(sealedKey), sms_api_key_sealed),
                reminder_policy = \(policy)::jsonb, sms_daily_cap = \(smsDailyCap), email_daily_cap = \(emailDailyCap),
                sms_key_header = \(smsKeyHeader), sms_body_template = \(smsBodyTemplate), sms_id_field = \(smsIDField),
                confirmation_release_allowed = \(confirmationReleaseAllowed), updated_at = now()
            """
        )
    }
}

/// Delivery receipts from SMS providers: the message's state follows what the provider says.
public struct DeliveryReceipts: Sendable {
    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Applies a receipt; false when no message has this reference.
    public func apply(reference: String, delivered: Bool, detail: String) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE messages SET state = \(delivered ? "delivered" : "failed"), delivered_at = CASE WHEN \(delivered) THEN now() END,
                last_error = CASE WHEN \(delivered) THEN last_error ELSE \(detail) END
            WHERE (provider_reference = \(reference) OR idempotency_key = \(reference)) AND state IN ('sent', 'delivered', 'failed')
            RETURNING id
            """
        )
        var found = false
        for try await id in rows.decode(UUID.self) {
            found = true
            try await connection.query("INSERT INTO message_attempts (message_id, outcome, detail) VALUES (\(id), 'receipt', \(delivered ? "delivered" : detail))")
        }
        return found
    }
}
