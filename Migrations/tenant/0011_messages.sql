-- Every message to send (email or SMS), written in the transaction of the change that causes it,
-- in the département's schema; a worker delivers it with retries and records each attempt.
-- Replaces outbox_emails, whose rows move here.
CREATE TABLE messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    -- code, confirmation, change, cancellation, reminder, agent_notice, account, waiting_list_offer
    kind text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL DEFAULT '',
    body text NOT NULL,
    html text,
    calendar text,
    calendar_method text CHECK (calendar_method IN ('REQUEST', 'CANCEL')),
    rdv_id uuid REFERENCES rdvs (id) ON DELETE SET NULL,
    -- Sent to providers that accept one, so that a retry after a crash is not a second message.
    idempotency_key text NOT NULL UNIQUE DEFAULT gen_random_uuid()::text,
    state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'dead', 'cancelled')),
    not_before timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '2 days',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    last_error text,
    provider_reference text,
    segments integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    delivered_at timestamptz
);
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE state = 'queued';
CREATE INDEX messages_sending ON messages (locked_until) WHERE state = 'sending';
CREATE INDEX messages_rdv ON messages (rdv_id);
CREATE INDEX messages_recipient_day ON messages (recipient, channel, sent_at);
CREATE INDEX messages_provider_reference ON messages (provider_reference);

CREATE TABLE message_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL CHECK (outcome IN ('sent', 'temporary_failure', 'permanent_failure', 'capped', 'expired', 'receipt')),
    detail text NOT NULL DEFAULT ''
);
CREATE INDEX message_attempts_message ON message_attempts (message_id, id);

INSERT INTO messages (channel, kind, recipient, subject, body, state, created_at, sent_at)
SELECT 'email', 'account', recipient, subject, body, CASE WHEN sent_at IS NULL THEN 'queued' ELSE 'sent' END, created_at, sent_at
FROM outbox_emails;
DROP TABLE outbox_emails;

-- How the département notifies: sender name, SMS on or off and its provider, reminders.
CREATE TABLE notification_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    sender_name text NOT NULL DEFAULT '',
    sms_enabled boolean NOT NULL DEFAULT true,
    sms_provider text NOT NULL DEFAULT 'sandbox' CHECK (sms_provider IN ('sandbox', 'http_json')),
    sms_endpoint text NOT NULL DEFAULT '',
    sms_sender text NOT NULL DEFAULT '',
    -- Sealed with the platform's secret key; never shown back.
    sms_api_key_sealed bytea,
    reminder_policy jsonb NOT NULL DEFAULT '[{"minutes": 2880, "channels": ["sms", "email"]}, {"minutes": 120, "channels": ["sms"]}]',
    sms_daily_cap integer NOT NULL DEFAULT 8 CHECK (sms_daily_cap > 0),
    email_daily_cap integer NOT NULL DEFAULT 20 CHECK (email_daily_cap > 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO notification_settings DEFAULT VALUES;

-- A motif may have its own reminders.
ALTER TABLE motifs ADD COLUMN reminder_policy jsonb;
