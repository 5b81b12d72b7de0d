-- Webhooks: an organisation's endpoints, and the events they receive through the messages
-- outbox (channel 'webhook'). Triggers capture every change of the subscribed tables in the
-- transaction that makes it, whatever path made it (pages, API, jobs, psql).

CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    models text[] NOT NULL CHECK (
        cardinality(models) > 0
        AND models <@ ARRAY['rdv', 'participant', 'usager', 'absence', 'plage', 'motif', 'lieu', 'agent']
    ),
    -- Sealed with the platform's key: the worker needs the secret itself to sign.
    secret_sealed bytea NOT NULL,
    -- After a rotation the former secret still signs until this time.
    previous_secret_sealed bytea,
    previous_secret_until timestamptz,
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_organisation ON webhook_endpoints (organisation_id);

ALTER TABLE messages DROP CONSTRAINT messages_channel_check;
ALTER TABLE messages ADD CONSTRAINT messages_channel_check CHECK (channel IN ('email', 'sms', 'webhook'));
ALTER TABLE messages ADD COLUMN webhook_endpoint_id uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN webhook_model text;
-- The record's id; a participant's is '<rdv id>/<usager id>'.
ALTER TABLE messages ADD COLUMN webhook_record text;
ALTER TABLE messages ADD COLUMN webhook_event text CHECK (webhook_event IN ('created', 'updated', 'destroyed'));
ALTER TABLE messages ADD COLUMN webhook_reason text;
-- Order of capture: one resource's events leave one after the other in this order.
ALTER TABLE messages ADD COLUMN webhook_sequence bigint;
CREATE SEQUENCE webhook_sequence;
ALTER TABLE messages ADD CONSTRAINT messages_webhook_fields CHECK (
    (channel = 'webhook') = (webhook_endpoint_id IS NOT NULL AND webhook_model IS NOT NULL AND webhook_record IS NOT NULL
                             AND webhook_event IS NOT NULL AND webhook_sequence IS NOT NULL)
);
CREATE INDEX messages_webhook_resource ON messages (webhook_endpoint_id, webhook_model, webhook_record, webhook_sequence)
    WHERE channel = 'webhook';
CREATE INDEX messages_webhook_log ON messages (webhook_endpoint_id, created_at DESC) WHERE channel = 'webhook';

-- What each HTTP attempt answered, for the delivery log (never more than 1 KiB of the answer).
ALTER TABLE message_attempts ADD COLUMN status_code integer;
ALTER TABLE message_attempts ADD COLUMN duration_ms integer;
ALTER TABLE message_attempts ADD COLUMN response_excerpt text CHECK (octet_length(response_excerpt) <= 1024);

-- Queues one event per enabled endpoint of the record's organisations subscribed to the model.
-- The reason comes from the transaction: SELECT set_config('rdv.webhook_reason', 'rgpd', true).
CREATE FUNCTION webhook_enqueue(model text, record text, event text, organisations uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    reason text := nullif(current_setting('rdv.webhook_reason', true), '');
BEGIN
    INSERT INTO messages (channel, kind, recipient, body, webhook_endpoint_id, webhook_model, webhook_record, webhook_event,
                          webhook_reason, webhook_sequence, expires_at)
    SELECT 'webhook', 'webhook', '', '', e.id, model, record, event, reason, nextval('webhook_sequence'), now() + interval '3 days'
    FROM webhook_endpoints e
    WHERE e.enabled AND model = ANY (e.models) AND e.organisation_id = ANY (organisations)
      -- Several changes of one record in one transaction make one event: its data is read
      -- when it leaves, so the later ones would say nothing more.
      AND NOT (event = 'updated' AND EXISTS (
          SELECT 1 FROM messages m
          WHERE m.channel = 'webhook' AND m.webhook_endpoint_id = e.id AND m.webhook_model = model AND m.webhook_record = record
            AND m.state = 'queued' AND m.body = '' AND m.created_at = now() AND m.webhook_event IN ('created', 'updated')
      ));
END $$;

-- The organisations a record belongs to, from its row as JSON (the row of a deletion included).
CREATE FUNCTION webhook_organisations(model text, row_data jsonb) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
    SELECT CASE model
        WHEN 'motif' THEN ARRAY[(row_data ->> 'organisation_id')::uuid]
        WHEN 'lieu' THEN ARRAY[(row_data ->> 'organisation_id')::uuid]
        WHEN 'agent' THEN ARRAY[(row_data ->> 'organisation_id')::uuid]
        WHEN 'rdv' THEN ARRAY(SELECT organisation_id FROM motifs WHERE id = (row_data ->> 'motif_id')::uuid)
        WHEN 'participant' THEN ARRAY(
            SELECT mo.organisation_id FROM rdvs r JOIN motifs mo ON mo.id = r.motif_id WHERE r.id = (row_data ->> 'rdv_id')::uuid)
        WHEN 'plage' THEN ARRAY(SELECT organisation_id FROM lieux WHERE id = (row_data ->> 'lieu_id')::uuid)
        WHEN 'absence' THEN ARRAY(SELECT organisation_id FROM agents WHERE id = (row_data ->> 'agent_id')::uuid)
        -- An usager belongs to the organisations that received them or whose agents follow them.
        WHEN 'usager' THEN ARRAY(
            SELECT mo.organisation_id FROM rdv_participants p JOIN rdvs r ON r.id = p.rdv_id JOIN motifs mo ON mo.id = r.motif_id
            WHERE p.usager_id = (row_data ->> 'id')::uuid
            UNION
            SELECT a.organisation_id FROM usager_referents ur JOIN agents a ON a.id = ur.agent_id
            WHERE ur.usager_id = (row_data ->> 'id')::uuid AND a.organisation_id IS NOT NULL)
    END
$$;

-- Row trigger of a subscribed table; TG_ARGV[0] is the model.
CREATE FUNCTION webhook_capture() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    model text := TG_ARGV[0];
    row_data jsonb;
    record text;
    -- Columns whose change is no news to a receiver (secrets and bookkeeping).
    quiet text[] := ARRAY['updated_at', 'password_hash', 'totp_secret', 'totp_enabled_at'];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND model = ANY (models)) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN row_data := to_jsonb(OLD); ELSE row_data := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - quiet) = (row_data - quiet) THEN
        RETURN NULL;
    END IF;
    IF model = 'participant' THEN
        record := (row_data ->> 'rdv_id') || '/' || (row_data ->> 'usager_id');
    ELSE
        record := row_data ->> 'id';
    END IF;
    PERFORM webhook_enqueue(model, record,
        CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'destroyed' END,
        webhook_organisations(model, row_data));
    RETURN NULL;
END $$;

-- A change of a record's dependent rows (agents of an RDV, exceptions and motifs of a plage)
-- is an update of that record; TG_ARGV: model, column holding the record's id.
CREATE FUNCTION webhook_capture_parent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    model text := TG_ARGV[0];
    row_data jsonb;
    parent jsonb;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND model = ANY (models)) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN row_data := to_jsonb(OLD); ELSE row_data := to_jsonb(NEW); END IF;
    IF model = 'rdv' THEN
        SELECT to_jsonb(r) INTO parent FROM rdvs r WHERE r.id = (row_data ->> TG_ARGV[1])::uuid;
    ELSE
        SELECT to_jsonb(p) INTO parent FROM plages_ouverture p WHERE p.id = (row_data ->> TG_ARGV[1])::uuid;
    END IF;
    -- Gone with its parent: the parent's own deletion says it.
    IF parent IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_enqueue(model, parent ->> 'id', 'updated', webhook_organisations(model, parent));
    RETURN NULL;
END $$;

CREATE TRIGGER rdvs_webhook AFTER INSERT OR UPDATE OR DELETE ON rdvs FOR EACH ROW EXECUTE FUNCTION webhook_capture('rdv');
CREATE TRIGGER rdv_participants_webhook AFTER INSERT OR UPDATE OR DELETE ON rdv_participants
    FOR EACH ROW EXECUTE FUNCTION webhook_capture('participant');
CREATE TRIGGER usagers_webhook AFTER INSERT OR UPDATE OR DELETE ON usagers FOR EACH ROW EXECUTE FUNCTION webhook_capture('usager');
CREATE TRIGGER absences_webhook AFTER INSERT OR UPDATE OR DELETE ON absences FOR EACH ROW EXECUTE FUNCTION webhook_capture('absence');
CREATE TRIGGER plages_webhook AFTER INSERT OR UPDATE OR DELETE ON plages_ouverture FOR EACH ROW EXECUTE FUNCTION webhook_capture('plage');
CREATE TRIGGER motifs_webhook AFTER INSERT OR UPDATE OR DELETE ON motifs FOR EACH ROW EXECUTE FUNCTION webhook_capture('motif');
CREATE TRIGGER lieux_webhook AFTER INSERT OR UPDATE OR DELETE ON lieux FOR EACH ROW EXECUTE FUNCTION webhook_capture('lieu');
CREATE TRIGGER agents_webhook AFTER INSERT OR UPDATE OR DELETE ON agents FOR EACH ROW EXECUTE FUNCTION webhook_capture('agent');
CREATE TRIGGER rdv_agents_webhook AFTER INSERT OR UPDATE OR DELETE ON rdv_agents
    FOR EACH ROW EXECUTE FUNCTION webhook_capture_parent('rdv', 'rdv_id');
CREATE TRIGGER plage_exceptions_webhook AFTER INSERT OR UPDATE OR DELETE ON plage_exceptions
    FOR EACH ROW EXECUTE FUNCTION webhook_capture_parent('plage', 'plage_id');
CREATE TRIGGER plage_motifs_webhook AFTER INSERT OR UPDATE OR DELETE ON plage_motifs
    FOR EACH ROW EXECUTE FUNCTION webhook_capture_parent('plage', 'plage_id');
