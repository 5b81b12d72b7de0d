-- Sectorisation: a département splits its territory into sectors (whole communes, or single
-- streets of a commune) and attributes each sector to organisations, or to agents of them.
-- Names are matched through keys the application computes (lower case, no accents, punctuation
-- folded), so that "Rue Saint-Étienne" and "rue saint etienne" are the same street.

CREATE TABLE sectors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A zone is a whole commune (street_name NULL, street_key '') or one street of it. A commune
-- and a street each belong to one sector at most, so an address resolves to one sector per level;
-- the street's zone wins over its commune's.
CREATE TABLE sector_zones (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sector_id uuid NOT NULL REFERENCES sectors (id) ON DELETE CASCADE,
    commune_code text NOT NULL CHECK (commune_code ~ '^([0-9]{2}|2[AB])[0-9]{3}$'),
    commune_name text NOT NULL CHECK (length(commune_name) BETWEEN 1 AND 200),
    commune_key text NOT NULL CHECK (length(commune_key) BETWEEN 1 AND 200),
    street_name text CHECK (length(street_name) BETWEEN 1 AND 300),
    street_key text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (commune_code, street_key),
    CHECK ((street_name IS NULL) = (street_key = ''))
);
CREATE INDEX sector_zones_sector ON sector_zones (sector_id);
CREATE INDEX sector_zones_commune_key ON sector_zones (commune_key text_pattern_ops);

-- Who serves a sector: an organisation, or one agent of it (agent_id set).
CREATE TABLE sector_attributions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sector_id uuid NOT NULL REFERENCES sectors (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sector_attributions_organisation ON sector_attributions (sector_id, organisation_id) WHERE agent_id IS NULL;
CREATE UNIQUE INDEX sector_attributions_agent ON sector_attributions (sector_id, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX sector_attributions_organisation_id ON sector_attributions (organisation_id);

-- Who may book a motif online: anyone of the département, or only usagers whose address falls in
-- a sector attributed to the motif's organisation, or to one of its agents.
ALTER TABLE motifs ADD COLUMN sectorisation_level text NOT NULL DEFAULT 'departement'
    CHECK (sectorisation_level IN ('departement', 'organisation', 'agent'));
