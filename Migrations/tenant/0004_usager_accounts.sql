-- Accounts of usagers (the public) who choose to have one; booking without an account stays
-- possible. An account is how a person signs in; the people it books for (the usager and
-- their relatives) are records of their own, linked to it by the agenda and booking work.

CREATE TABLE usager_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' IN email) > 1),
    first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    -- One value: lets the sign-in code read every kind of account the same way.
    role text NOT NULL DEFAULT 'usager' CHECK (role = 'usager'),
    password_hash text,
    email_confirmed_at timestamptz,
    totp_secret bytea,
    totp_enabled_at timestamptz,
    totp_last_step bigint,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usager_sessions (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES usager_accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    second_factor_at timestamptz,
    user_agent text
);
CREATE INDEX usager_sessions_account ON usager_sessions (account_id);

CREATE TABLE usager_tokens (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES usager_accounts (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('email_confirmation', 'password_reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX usager_tokens_account ON usager_tokens (account_id, purpose);

CREATE TABLE usager_recovery_codes (
    code_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES usager_accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);

-- Security events of usager accounts go to the same append-only trail.
ALTER TABLE audit_events ADD COLUMN actor_usager_id uuid, ADD COLUMN subject_usager_id uuid;
