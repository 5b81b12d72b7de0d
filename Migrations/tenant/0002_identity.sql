-- Agents of the département: accounts, sessions, one-time tokens, throttling, audit trail.

CREATE TABLE agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('agent', 'secretariat', 'admin', 'dept_admin')),
    organisation_id uuid REFERENCES organisations (id),
    password_hash text,
    totp_secret bytea,
    totp_enabled_at timestamptz,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Everyone but a département administrator belongs to an organisation.
    CHECK (role = 'dept_admin' OR organisation_id IS NOT NULL)
);
CREATE UNIQUE INDEX agents_email_key ON agents (email);
CREATE INDEX agents_organisation ON agents (organisation_id);

-- Server-side sessions: only a SHA-256 of the token is stored.
CREATE TABLE agent_sessions (
    token_hash bytea PRIMARY KEY,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    second_factor_at timestamptz,
    user_agent text
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id);

-- Single-use tokens sent by email (invitations, password resets); only their hash is stored.
CREATE TABLE agent_tokens (
    token_hash bytea PRIMARY KEY,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX agent_tokens_agent ON agent_tokens (agent_id, purpose);

-- Failure counters for sign-in, second factor and reset requests, per account and per address.
CREATE TABLE throttles (
    key text PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    window_started_at timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);

-- Messages waiting to be sent, written in the same transaction as what caused them.
CREATE TABLE outbox_emails (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);

-- Security events. Append-only: the département's role may insert and read, never change.
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL,
    actor_agent_id uuid,
    subject_agent_id uuid,
    ip inet,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_time ON audit_events (occurred_at DESC);

DO $$
BEGIN
    IF current_setting('rdv.tenant_role', true) <> '' THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM %I', current_setting('rdv.tenant_role'));
    END IF;
END
$$;
