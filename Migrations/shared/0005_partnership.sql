-- The partnership registry: each département's conventions with the State's digital
-- directorate, its census population, what it owes and paid, its pilot sites; the rules that
-- compute contributions and the State's match; the expenses ledger; the committee log.
-- Pilot site referents are staff of a département (name and professional contact), not usagers.

-- Memberships keep one row per département: the census, and whether the console took over.
-- Convention dates and the contribution move to conventions below.
ALTER TABLE memberships
    ADD COLUMN census_year smallint CHECK (census_year BETWEEN 1800 AND 2200),
    -- Set when an operator edits this département's membership on the console: from then on,
    -- `rdv tenants apply` leaves it alone unless told `--fichier-prioritaire`.
    ADD COLUMN managed_in_console_at timestamptz;

-- One convention of a département within a funding round. A round is named by a label
-- ("2026-2028"); the State's matching cap applies per round.
CREATE TABLE conventions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    funding_round text NOT NULL CHECK (length(funding_round) BETWEEN 1 AND 40),
    kind text NOT NULL CHECK (kind IN ('initial', 'renewal')),
    -- NULL only for conventions carried over from 0001, which never recorded it.
    signed_on date,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    contribution_due_on date NOT NULL,
    -- The amount written in the convention when it departs from the rules; NULL: the rules decide.
    agreed_contribution_cents bigint CHECK (agreed_contribution_cents >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, starts_on),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX conventions_round ON conventions (funding_round);

-- Money a département paid towards a convention: the "new euros" the State matches.
CREATE TABLE contribution_payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    convention_id bigint NOT NULL REFERENCES conventions (id) ON DELETE CASCADE,
    paid_on date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contribution_payments_convention ON contribution_payments (convention_id);

CREATE TABLE pilot_sites (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    organisation_name text NOT NULL CHECK (length(organisation_name) BETWEEN 1 AND 200),
    referent_name text NOT NULL CHECK (length(referent_name) BETWEEN 1 AND 200),
    referent_contact text NOT NULL CHECK (length(referent_contact) BETWEEN 1 AND 200)
);
CREATE INDEX pilot_sites_tenant ON pilot_sites (tenant_id);

-- The consortium's rules, one row; operators edit them on the console.
CREATE TABLE partnership_rules (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    renewal_rate_percent integer NOT NULL CHECK (renewal_rate_percent BETWEEN 0 AND 100),
    -- State cents per cent of new money brought by a collectivity (100: one euro for one euro).
    match_rate_percent integer NOT NULL CHECK (match_rate_percent BETWEEN 0 AND 100),
    match_cap_cents bigint NOT NULL CHECK (match_cap_cents >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO partnership_rules (renewal_rate_percent, match_rate_percent, match_cap_cents) VALUES (50, 100, 20000000);

-- Contribution of an initial convention by population: the tier with the highest threshold the
-- population exceeds.
CREATE TABLE contribution_tiers (
    above_population integer PRIMARY KEY CHECK (above_population >= 0),
    contribution_cents bigint NOT NULL CHECK (contribution_cents >= 0)
);
INSERT INTO contribution_tiers (above_population, contribution_cents) VALUES
    (1000000, 3000000), (500000, 2000000), (250000, 1200000), (0, 600000);

CREATE TABLE partnership_expenses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spent_on date NOT NULL,
    supplier text NOT NULL CHECK (length(supplier) BETWEEN 1 AND 200),
    object text NOT NULL CHECK (length(object) BETWEEN 1 AND 500),
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    funding_round text NOT NULL CHECK (length(funding_round) BETWEEN 1 AND 40),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partnership_expenses_round ON partnership_expenses (funding_round, spent_on);

CREATE TABLE committee_meetings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    held_on date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('technical', 'steering')),
    minutes_url text CHECK (minutes_url IS NULL OR (length(minutes_url) <= 500 AND minutes_url ~ '^https?://')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX committee_meetings_held ON committee_meetings (kind, held_on);

CREATE TABLE committee_attendances (
    meeting_id bigint NOT NULL REFERENCES committee_meetings (id) ON DELETE CASCADE,
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, tenant_id)
);

-- What 0001 recorded moves here: one initial convention per département that had a start,
-- in a round named after its years, with its contribution as the agreed amount.
INSERT INTO conventions (tenant_id, funding_round, kind, starts_on, ends_on, contribution_due_on, agreed_contribution_cents)
SELECT tenant_id,
       extract(year FROM convention_start)::text || '-'
           || extract(year FROM coalesce(convention_end, (convention_start + interval '3 years' - interval '1 day')::date))::text,
       'initial', convention_start,
       coalesce(convention_end, (convention_start + interval '3 years' - interval '1 day')::date),
       convention_start, contribution_cents
FROM memberships WHERE convention_start IS NOT NULL;

ALTER TABLE memberships DROP COLUMN convention_start, DROP COLUMN convention_end, DROP COLUMN contribution_cents;

-- Operators' console writes go through the application role: exactly these tables, nothing of
-- the registry of départements nor of the accounts.
DO $$
DECLARE
    app text := current_setting('rdv.app_role');
BEGIN
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON conventions, contribution_payments, pilot_sites, contribution_tiers, '
        'partnership_expenses, committee_meetings, committee_attendances TO %I', app);
    EXECUTE format('GRANT UPDATE ON partnership_rules TO %I', app);
    EXECUTE format('GRANT INSERT, UPDATE (population, census_year, managed_in_console_at) ON memberships TO %I', app);
END
$$;
