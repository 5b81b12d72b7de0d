-- Archives of a département's data (offboarding), asked for on the console. Making one reads
-- the whole schema with pg_dump as the owner, so the console records a request and the owner
-- side (`rdv tenants provision`) writes the archive into the export folder, from which the
-- console lets operators download it for a week. The archive leaves secrets out.
CREATE TABLE export_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    requested_by uuid REFERENCES consortium_accounts (id) ON DELETE SET NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- pending → running → done → expired (file deleted), or → failed.
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'failed', 'done', 'expired')),
    file_name text,
    bytes bigint,
    total_rows bigint,
    sha256 text,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    completed_at timestamptz,
    expires_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- One archive in the making per département at a time.
CREATE UNIQUE INDEX export_requests_live ON export_requests (tenant_id) WHERE state IN ('pending', 'running');

DO $$
DECLARE
    app text := current_setting('rdv.app_role');
BEGIN
    EXECUTE format('GRANT INSERT (tenant_id, requested_by) ON export_requests TO %I', app);
END
$$;
