-- Retention of personal data and the trail of who accessed a usager's record.

-- How long the département keeps what, edited by its administrators. The defaults follow
-- RDV-Solidarités' practice: appointments and inactive usagers 2 years, message contents
-- 6 months, inactive agents warned after 2 years then deactivated 30 days later, addresses
-- in the journals and the access trail 1 year, API call records 6 months.
CREATE TABLE retention_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    rdv_months integer NOT NULL DEFAULT 24 CHECK (rdv_months BETWEEN 6 AND 120),
    usager_months integer NOT NULL DEFAULT 24 CHECK (usager_months BETWEEN 6 AND 120),
    message_months integer NOT NULL DEFAULT 6 CHECK (message_months BETWEEN 1 AND 60),
    agent_months integer NOT NULL DEFAULT 24 CHECK (agent_months BETWEEN 6 AND 120),
    agent_notice_days integer NOT NULL DEFAULT 30 CHECK (agent_notice_days BETWEEN 7 AND 180),
    trail_months integer NOT NULL DEFAULT 12 CHECK (trail_months BETWEEN 6 AND 60),
    api_call_days integer NOT NULL DEFAULT 180 CHECK (api_call_days BETWEEN 30 AND 730),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO retention_settings DEFAULT VALUES;

-- Agents warned that their account will be deactivated for inactivity (a table of its own:
-- a warning is no change of the agent for webhooks). A sign-in after the warning clears it.
CREATE TABLE agent_inactivity_notices (
    agent_id uuid PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    warned_at timestamptz NOT NULL DEFAULT now(),
    deactivates_at timestamptz NOT NULL
);

-- The last sign-in of each agent, read by retention.
CREATE INDEX audit_events_sign_ins ON audit_events (actor_agent_id, occurred_at DESC) WHERE action = 'sign_in.succeeded';

-- Message contents, once anonymised, are gone; state, channel, kind and dates stay for the figures.
ALTER TABLE messages ADD COLUMN anonymised_at timestamptz;
CREATE INDEX messages_created ON messages (created_at) WHERE anonymised_at IS NULL;
ALTER TABLE waiting_list ADD COLUMN anonymised_at timestamptz;
CREATE INDEX rdvs_ends ON rdvs (ends_at);

-- Each pass of the retention job: counts per kind, never a name.
CREATE TABLE retention_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ran_at timestamptz NOT NULL DEFAULT now(),
    counts jsonb NOT NULL
);

-- Who viewed, searched for or exported which usager's record: an agent, or an API token acting
-- for one. Append-only for the département's role; only retention_purge_trail removes entries
-- older than the retention the département chose. No foreign key: the trail outlives a deleted
-- record (it names only ids).
CREATE TABLE usager_access_trail (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    usager_id uuid NOT NULL,
    agent_id uuid,
    api_token_id uuid,
    action text NOT NULL CHECK (action IN ('viewed', 'searched', 'exported', 'changed')),
    ip inet
);
CREATE INDEX usager_access_trail_usager ON usager_access_trail (usager_id, occurred_at DESC);
CREATE INDEX usager_access_trail_time ON usager_access_trail (occurred_at);

-- Retention's only ways into the append-only journals: entries older than the département's
-- setting (never less than 6 months) lose their address, or leave the access trail.
CREATE FUNCTION retention_purge_trail(before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    removed bigint;
BEGIN
    IF before > now() - interval '6 months' THEN
        RAISE EXCEPTION 'the access trail is kept at least 6 months';
    END IF;
    DELETE FROM usager_access_trail WHERE occurred_at < before;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
ALTER FUNCTION retention_purge_trail(timestamptz) SET search_path FROM CURRENT;

CREATE FUNCTION retention_clear_addresses(before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    cleared bigint;
BEGIN
    IF before > now() - interval '6 months' THEN
        RAISE EXCEPTION 'addresses in the journal are kept at least 6 months';
    END IF;
    UPDATE audit_events SET ip = NULL WHERE occurred_at < before AND ip IS NOT NULL;
    GET DIAGNOSTICS cleared = ROW_COUNT;
    RETURN cleared;
END
$$;
ALTER FUNCTION retention_clear_addresses(timestamptz) SET search_path FROM CURRENT;

REVOKE ALL ON FUNCTION retention_purge_trail(timestamptz), retention_clear_addresses(timestamptz) FROM PUBLIC;

DO $$
BEGIN
    IF current_setting('rdv.tenant_role', true) <> '' THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON usager_access_trail FROM %I', current_setting('rdv.tenant_role'));
        EXECUTE format('GRANT EXECUTE ON FUNCTION retention_purge_trail(timestamptz), retention_clear_addresses(timestamptz) TO %I',
                       current_setting('rdv.tenant_role'));
    END IF;
END
$$;
