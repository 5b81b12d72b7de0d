-- The operator console. The web process runs as the application role, which only reads the
-- registry: what the console changes goes through two narrow doors the owner opens here.
--   * Status changes (suspend, resume, leaving) take effect at once through
--     set_tenant_status(), a function that runs with the owner's rights and does nothing else.
--   * Onboarding needs to create a role and a schema: the console records a request, and the
--     owner side (`rdv tenants provision`, or `rdv serve` in development) carries it out.

-- A département is being opened (its hosts say so) or has announced it is leaving (still served).
ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check
    CHECK (status IN ('provisioning', 'active', 'suspended', 'leaving'));

-- Sessions opened before this instant are over: a suspension ends every session of the département.
ALTER TABLE tenants ADD COLUMN sessions_valid_after timestamptz;

-- Set when the console created or changed the département: from then on `rdv tenants apply`
-- leaves its registry fields alone and says so, unless told that the file wins.
ALTER TABLE tenants ADD COLUMN managed_in_console_at timestamptz;

CREATE TABLE provisioning_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    insee_code text NOT NULL CHECK (insee_code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
    time_zone text NOT NULL,
    contact_email text,
    custom_domains text[] NOT NULL DEFAULT '{}',
    organisation_name text NOT NULL CHECK (length(organisation_name) BETWEEN 1 AND 200),
    -- The first administrator, until the invitation is queued; then erased (it lives in the
    -- département's schema, where it belongs).
    admin_email text,
    admin_first_name text,
    admin_last_name text,
    requested_by uuid REFERENCES consortium_accounts (id) ON DELETE SET NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- pending → running → done, or → failed (the console offers to finish it: back to pending).
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'failed', 'done')),
    -- The last step that completed: registered, migrated, organisation, invited.
    step text CHECK (step IN ('registered', 'migrated', 'organisation', 'invited')),
    error text,
    attempts integer NOT NULL DEFAULT 0,
    tenant_id integer REFERENCES tenants (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    CHECK (state = 'done' OR admin_email IS NOT NULL)
);
-- One live request per code and per slug: two operators cannot open the same département twice.
CREATE UNIQUE INDEX provisioning_requests_live_code ON provisioning_requests (insee_code) WHERE state <> 'done';
CREATE UNIQUE INDEX provisioning_requests_live_slug ON provisioning_requests (slug) WHERE state <> 'done';
CREATE INDEX provisioning_requests_pending ON provisioning_requests (requested_at) WHERE state = 'pending';

-- Suspends, resumes or marks as leaving one département, ends its sessions when suspending,
-- and journals it, all at once. A département being opened is not the console's to change.
CREATE FUNCTION set_tenant_status(target integer, wanted text, actor uuid, from_ip inet) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF wanted NOT IN ('active', 'suspended', 'leaving') THEN
        RAISE EXCEPTION 'unknown status %', wanted USING ERRCODE = '22023';
    END IF;
    UPDATE shared.tenants SET
        status = wanted, updated_at = now(), managed_in_console_at = now(),
        sessions_valid_after = CASE WHEN wanted = 'suspended' THEN clock_timestamp() ELSE sessions_valid_after END
    WHERE id = target AND status <> wanted AND status <> 'provisioning';
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, ip, details)
    VALUES ('tenant.' || wanted, actor, target, from_ip, jsonb_build_object('via', 'console'));
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION set_tenant_status(integer, text, uuid, inet) FROM PUBLIC;

-- Finishing a request that failed is putting it back in the queue, and nothing else.
CREATE FUNCTION retry_provisioning(request uuid, actor uuid, from_ip inet) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tenant integer;
BEGIN
    UPDATE shared.provisioning_requests SET state = 'pending', updated_at = now()
    WHERE id = request AND state = 'failed'
    RETURNING tenant_id INTO tenant;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO shared.consortium_audit_events (action, actor_account_id, tenant_id, ip, details)
    VALUES ('tenant.provisioning_retried', actor, tenant, from_ip, jsonb_build_object('request', request));
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION retry_provisioning(uuid, uuid, inet) FROM PUBLIC;

-- Each département's schema version, for the console's list. The version tables are hidden
-- from every role but the owner; this reveals their highest number and nothing else.
CREATE FUNCTION tenant_schema_versions(one integer DEFAULT NULL) RETURNS TABLE (tenant_id integer, version integer, migrated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT id, 'dept_' || lower(insee_code) AS schema FROM shared.tenants WHERE one IS NULL OR id = one LOOP
        IF to_regclass(format('%I.schema_migrations', t.schema)) IS NULL THEN
            tenant_id := t.id; version := 0; migrated_at := NULL;
            RETURN NEXT;
        ELSE
            RETURN QUERY EXECUTE format(
                'SELECT %s, coalesce(max(version), 0), max(applied_at) FROM %I.schema_migrations', t.id, t.schema
            );
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION tenant_schema_versions(integer) FROM PUBLIC;

DO $$
DECLARE
    app text := current_setting('rdv.app_role');
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION set_tenant_status(integer, text, uuid, inet) TO %I', app);
    EXECUTE format('GRANT EXECUTE ON FUNCTION retry_provisioning(uuid, uuid, inet) TO %I', app);
    EXECUTE format('GRANT EXECUTE ON FUNCTION tenant_schema_versions(integer) TO %I', app);
    EXECUTE format(
        'GRANT INSERT (slug, name, insee_code, time_zone, contact_email, custom_domains, organisation_name, '
        'admin_email, admin_first_name, admin_last_name, requested_by) ON provisioning_requests TO %I', app
    );
END
$$;
