-- The waiting list: people who found no slot, or whose appointment is far away, ask to be told
-- of an earlier one. When a slot frees, some of them get an offer with a link; the first to
-- take it gets it (the agents' exclusion constraint decides), the others find it gone.
CREATE TABLE waiting_list (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    motif_id uuid NOT NULL REFERENCES motifs (id),
    -- NULL: any lieu offering the motif.
    lieu_id uuid REFERENCES lieux (id),
    -- The person's later appointment, which a taken offer replaces.
    rdv_id uuid REFERENCES rdvs (id) ON DELETE CASCADE,
    details jsonb NOT NULL,
    -- Hashed token of the link that takes the person off the list.
    token_hash bytea NOT NULL UNIQUE,
    offers_sent integer NOT NULL DEFAULT 0,
    last_offer_at timestamptz,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waiting_list_motif ON waiting_list (motif_id) WHERE active;

CREATE TABLE waiting_list_offers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entry_id uuid NOT NULL REFERENCES waiting_list (id) ON DELETE CASCADE,
    lieu_id uuid NOT NULL REFERENCES lieux (id),
    starts_at timestamptz NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    taken_rdv_id uuid REFERENCES rdvs (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waiting_list_offers_entry ON waiting_list_offers (entry_id);
