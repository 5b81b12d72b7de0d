-- Accounts of the consortium: operators (console.) and steering committee members (stats.).
-- They are the consortium's own staff, not usagers or agents of a département.

CREATE TABLE consortium_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' IN email) > 1),
    first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('operator', 'steering')),
    password_hash text,
    totp_secret bytea,
    totp_enabled_at timestamptz,
    totp_last_step bigint,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consortium_sessions (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES consortium_accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    second_factor_at timestamptz,
    user_agent text
);
CREATE INDEX consortium_sessions_account ON consortium_sessions (account_id);

CREATE TABLE consortium_recovery_codes (
    code_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES consortium_accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);

CREATE TABLE consortium_throttles (
    key text PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    window_started_at timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);

-- Security events and operator actions on départements. Append-only for the application.
CREATE TABLE consortium_audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL,
    actor_account_id uuid,
    subject_account_id uuid,
    tenant_id integer REFERENCES tenants (id) ON DELETE SET NULL,
    ip inet,
    details jsonb NOT NULL DEFAULT '{}'
);

-- The application's login role reads everything in shared (default privileges); it may also
-- keep sessions, counters and second factors, add audit events, and change an account's
-- password or second factor. It can neither create accounts nor rewrite the audit trail.
DO $$
DECLARE
    app text := current_setting('rdv.app_role');
BEGIN
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON consortium_sessions, consortium_recovery_codes, consortium_throttles TO %I', app);
    EXECUTE format('GRANT UPDATE (password_hash, totp_secret, totp_enabled_at, totp_last_step, updated_at) ON consortium_accounts TO %I', app);
    EXECUTE format('GRANT INSERT ON consortium_audit_events TO %I', app);
END
$$;
