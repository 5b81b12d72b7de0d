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

    public static func load(_ connection: TenantConnection) async throws -> NotificationSettings {
        for try await (sender, enabled, provider, endpoint, smsSender, hasKey, policy, smsCap, emailCap) in try await connection.query(
            """
            SELECT sender_name, sms_enabled, sms_provider, sms_endpoint, sms_sender, sms_api_key_sealed IS NOT NULL,
                   reminder_policy::text, sms_daily_cap, email_daily_cap
            FROM notification_settings
            """
        ).decode((String, Bool, String, String, String, Bool, String, Int, Int).self) {
            return NotificationSettings(
                senderName: sender, smsEnabled: enabled, smsProvider: provider, smsEndpoint: endpoint, smsSender: smsSender, hasSMSKey: hasKey,
                reminderPolicy: (try? JSONDecoder().decode(ReminderPolicy.self, from: Data(policy.utf8))) ?? .standard,
                smsDailyCap: smsCap, emailDailyCap: emailCap
            )
        }
        return NotificationSettings(
            senderName: "", smsEnabled: true, smsProvider: "sandbox", smsEndpoint: "", smsSender: "", hasSMSKey: false,
            reminderPolicy: .standard, smsDailyCap: 8, emailDailyCap: 20
        )
    }
}
