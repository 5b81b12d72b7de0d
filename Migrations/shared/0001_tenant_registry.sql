-- The registry of départements. No personal data ever goes into schema shared.
CREATE TABLE tenants (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    insee_code text NOT NULL UNIQUE CHECK (insee_code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
    time_zone text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    contact_email text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Custom domains of a département, besides <slug>.<base domain>.
CREATE TABLE tenant_domains (
    domain text PRIMARY KEY CHECK (domain = lower(domain)),
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);

-- Consortium membership: what each département's convention says.
CREATE TABLE memberships (
    tenant_id integer PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    population integer CHECK (population >= 0),
    convention_start date,
    convention_end date,
    contribution_cents bigint CHECK (contribution_cents >= 0),
    CHECK (convention_end IS NULL OR convention_start IS NULL OR convention_end >= convention_start)
);

-- Every running instance keeps the registry in memory; tell them when it changes.
CREATE FUNCTION notify_tenant_registry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rdv_tenant_registry', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_registry();
CREATE TRIGGER tenant_domains_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_domains
    FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_registry();
