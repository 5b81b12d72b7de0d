-- The agenda: services, lieux, motifs, plages d'ouverture with per-occurrence changes, absences,
-- usagers and their relatives, appointments (RDV) with their agents, participants and history.

CREATE TABLE services (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_services (
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, service_id)
);

CREATE TABLE lieux (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address text NOT NULL DEFAULT '',
    phone text,
    status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled', 'single_use')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, name)
);

CREATE TABLE motifs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    service_id uuid NOT NULL REFERENCES services (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    color text NOT NULL DEFAULT '#000091' CHECK (color ~ '^#[0-9a-f]{6}$'),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    location_type text NOT NULL DEFAULT 'on_site' CHECK (location_type IN ('on_site', 'phone', 'home', 'video')),
    min_booking_delay_minutes integer NOT NULL DEFAULT 30 CHECK (min_booking_delay_minutes >= 0),
    max_booking_delay_minutes integer NOT NULL DEFAULT 129600 CHECK (max_booking_delay_minutes > 0),
    bookable_by text NOT NULL DEFAULT 'agents' CHECK (bookable_by IN ('agents', 'invited', 'everyone')),
    online_booking boolean NOT NULL DEFAULT false,
    collective boolean NOT NULL DEFAULT false,
    default_capacity integer CHECK (default_capacity > 0),
    cancellable_by_usager boolean NOT NULL DEFAULT true,
    cancellation_deadline_minutes integer NOT NULL DEFAULT 240,
    movable_by_usager boolean NOT NULL DEFAULT true,
    move_deadline_minutes integer NOT NULL DEFAULT 2880,
    follow_up_only boolean NOT NULL DEFAULT false,
    instructions_before text NOT NULL DEFAULT '',
    instructions_after text NOT NULL DEFAULT '',
    sensitive boolean NOT NULL DEFAULT false,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, name),
    CHECK (max_booking_delay_minutes > min_booking_delay_minutes),
    CHECK (NOT collective OR default_capacity IS NOT NULL)
);

-- Recurrence as JSON: {"kind":"once"}, {"kind":"weekly","interval":1,"weekdays":[1,3],"until":"2027-06-30"},
-- {"kind":"monthly","interval":1,"ordinal":2,"weekday":2}. Weekdays are ISO (Monday = 1).
CREATE TABLE plages_ouverture (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid NOT NULL REFERENCES agents (id),
    lieu_id uuid NOT NULL REFERENCES lieux (id),
    first_day date NOT NULL,
    start_time time NOT NULL,
    end_time time NOT NULL CHECK (end_time > start_time),
    recurrence jsonb NOT NULL DEFAULT '{"kind": "once"}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plages_ouverture_agent ON plages_ouverture (agent_id);
CREATE INDEX plages_ouverture_lieu ON plages_ouverture (lieu_id);

CREATE TABLE plage_motifs (
    plage_id uuid NOT NULL REFERENCES plages_ouverture (id) ON DELETE CASCADE,
    motif_id uuid NOT NULL REFERENCES motifs (id),
    PRIMARY KEY (plage_id, motif_id)
);
CREATE INDEX plage_motifs_motif ON plage_motifs (motif_id);

-- One occurrence cancelled, or moved, shortened, lengthened, without touching the series.
CREATE TABLE plage_exceptions (
    plage_id uuid NOT NULL REFERENCES plages_ouverture (id) ON DELETE CASCADE,
    original_day date NOT NULL,
    cancelled boolean NOT NULL DEFAULT false,
    moved_day date,
    moved_start time,
    moved_end time,
    PRIMARY KEY (plage_id, original_day),
    CHECK (cancelled OR (moved_day IS NOT NULL AND moved_start IS NOT NULL AND moved_end > moved_start))
);

CREATE TABLE absences (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid NOT NULL REFERENCES agents (id),
    title text NOT NULL DEFAULT '',
    first_day date NOT NULL,
    start_time time NOT NULL,
    end_time time NOT NULL CHECK (end_time > start_time),
    recurrence jsonb NOT NULL DEFAULT '{"kind": "once"}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX absences_agent ON absences (agent_id);

-- People received by the services. A relative points to the usager responsible for them.
CREATE TABLE usagers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    birth_date date,
    email text,
    phone text,
    responsible_id uuid REFERENCES usagers (id),
    account_id uuid REFERENCES usager_accounts (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (responsible_id IS NULL OR responsible_id <> id)
);
CREATE INDEX usagers_responsible ON usagers (responsible_id);
CREATE INDEX usagers_names ON usagers (lower(last_name), lower(first_name));

CREATE TABLE usager_referents (
    usager_id uuid NOT NULL REFERENCES usagers (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (usager_id, agent_id)
);

CREATE TABLE rdvs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    motif_id uuid NOT NULL REFERENCES motifs (id),
    lieu_id uuid REFERENCES lieux (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    -- Seats of a collective RDV; NULL for an individual one.
    capacity integer CHECK (capacity > 0),
    status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'seen', 'noshow', 'excused', 'revoked')),
    created_by text NOT NULL CHECK (created_by IN ('agent', 'usager', 'waiting_list', 'api')),
    created_by_agent_id uuid REFERENCES agents (id),
    notes text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rdvs_starts_at ON rdvs (starts_at);

-- The agents of an RDV, with its time span copied so that PostgreSQL can refuse any overlap
-- for one agent among RDVs still held ("active" turns false when the RDV is cancelled).
CREATE TABLE rdv_agents (
    rdv_id uuid NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id),
    during tstzrange NOT NULL,
    active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (rdv_id, agent_id),
    CONSTRAINT rdv_agents_no_double_booking EXCLUDE USING gist (
        agent_id extensions.gist_uuid_ops WITH OPERATOR(pg_catalog.=),
        during WITH OPERATOR(pg_catalog.&&)
    ) WHERE (active)
);

CREATE TABLE rdv_participants (
    rdv_id uuid NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    usager_id uuid NOT NULL REFERENCES usagers (id),
    status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'seen', 'noshow', 'excused', 'revoked')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rdv_id, usager_id)
);
CREATE INDEX rdv_participants_usager ON rdv_participants (usager_id);

-- Who changed what, when: the full history of each RDV.
CREATE TABLE rdv_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rdv_id uuid NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_agent_id uuid,
    actor_usager_id uuid,
    action text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX rdv_events_rdv ON rdv_events (rdv_id, id);
