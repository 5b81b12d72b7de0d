-- Second factor: replay guard for TOTP codes, single-use recovery codes (hashed).
ALTER TABLE agents ADD COLUMN totp_last_step bigint;

CREATE TABLE agent_recovery_codes (
    code_hash bytea PRIMARY KEY,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);
CREATE INDEX agent_recovery_codes_agent ON agent_recovery_codes (agent_id);
