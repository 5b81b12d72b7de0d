-- The public API: agents' personal tokens, the log of every call (which also counts calls for
-- the rate limit), the first answer of each idempotent create, and slot holds.

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- SHA-256 of the token: the token itself is shown once, never stored.
    token_hash bytea NOT NULL UNIQUE,
    -- The first characters, so that a person can tell their tokens apart.
    prefix text NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
    scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write']),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    revoked_by_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL
);
CREATE INDEX api_tokens_agent ON api_tokens (agent_id);

-- One line per call: token, route pattern, status; never a body or a query string.
CREATE TABLE api_calls (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_id uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    method text NOT NULL,
    route text NOT NULL,
    status integer NOT NULL,
    ip inet
);
CREATE INDEX api_calls_token_time ON api_calls (token_id, occurred_at DESC);

DO $$
BEGIN
    IF current_setting('rdv.tenant_role', true) <> '' THEN
        EXECUTE format('REVOKE UPDATE ON api_calls FROM %I', current_setting('rdv.tenant_role'));
    END IF;
END
$$;

-- A retried create (same token, same Idempotency-Key) gets the first answer back. The row is
-- written in the transaction of the create itself, so a concurrent retry waits for it.
CREATE TABLE api_idempotency (
    token_id uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    -- SHA-256 of method, route and body: the same key with another request is refused.
    fingerprint bytea NOT NULL,
    status integer,
    location text,
    body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);
CREATE INDEX api_idempotency_age ON api_idempotency (created_at);

-- A slot held for a few minutes while a partner's form completes. Among holds, PostgreSQL
-- refuses an overlap for one agent (lapsed holds are deleted before a new one goes in); against
-- appointments, the triggers below refuse either one while the other holds the time.
CREATE TABLE slot_holds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    motif_id uuid NOT NULL REFERENCES motifs (id) ON DELETE CASCADE,
    lieu_id uuid NOT NULL REFERENCES lieux (id) ON DELETE CASCADE,
    during tstzrange NOT NULL,
    expires_at timestamptz NOT NULL,
    token_id uuid REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slot_holds_no_overlap EXCLUDE USING gist (
        agent_id extensions.gist_uuid_ops WITH OPERATOR(pg_catalog.=),
        during WITH OPERATOR(pg_catalog.&&)
    )
);
CREATE INDEX slot_holds_expiry ON slot_holds (expires_at);

-- Both sides take the same per-agent lock, so a hold and a booking of the same time cannot
-- both pass their check in concurrent transactions.
CREATE FUNCTION slot_hold_lock(agent uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('slot_hold:' || agent::text, 0))
$$;

CREATE FUNCTION rdv_agents_respect_holds() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active THEN
        PERFORM slot_hold_lock(NEW.agent_id);
        IF EXISTS (
            SELECT 1 FROM slot_holds h
            WHERE h.agent_id = NEW.agent_id AND h.during && NEW.during AND h.expires_at > now()
        ) THEN
            RAISE EXCEPTION 'slot held' USING ERRCODE = '23P01';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER rdv_agents_respect_holds BEFORE INSERT OR UPDATE OF active, during ON rdv_agents
    FOR EACH ROW EXECUTE FUNCTION rdv_agents_respect_holds();

CREATE FUNCTION slot_holds_respect_rdvs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM slot_hold_lock(NEW.agent_id);
    IF EXISTS (
        SELECT 1 FROM rdv_agents a WHERE a.agent_id = NEW.agent_id AND a.active AND a.during && NEW.during
    ) THEN
        RAISE EXCEPTION 'slot taken' USING ERRCODE = '23P01';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER slot_holds_respect_rdvs BEFORE INSERT ON slot_holds
    FOR EACH ROW EXECUTE FUNCTION slot_holds_respect_rdvs();

-- "Créé par l'API (nom du jeton)" in the appointment's history.
ALTER TABLE rdvs ADD COLUMN created_by_api_token_id uuid REFERENCES api_tokens (id) ON DELETE SET NULL;
