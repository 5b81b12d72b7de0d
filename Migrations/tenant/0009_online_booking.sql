-- Online booking by usagers: a request waits for the code sent to the person (or is confirmed
-- at once for a signed-in account), then becomes an appointment. Partners (prescripteurs) who
-- book for someone are recorded on the appointment.

CREATE TABLE booking_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The link token and the code are kept hashed: the table alone confirms nothing.
    token_hash bytea NOT NULL UNIQUE,
    code_hash bytea NOT NULL,
    motif_id uuid NOT NULL REFERENCES motifs (id),
    lieu_id uuid NOT NULL REFERENCES lieux (id),
    starts_at timestamptz NOT NULL,
    -- Who the appointment is for, how to reach them, who booked (JSON written by the Booking module).
    details jsonb NOT NULL,
    usager_account_id uuid REFERENCES usager_accounts (id) ON DELETE CASCADE,
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    failed_attempts integer NOT NULL DEFAULT 0,
    -- Set once the right code was given: the person may then pick another slot if theirs was taken.
    code_confirmed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rdv_id uuid REFERENCES rdvs (id) ON DELETE SET NULL
);
CREATE INDEX booking_requests_expiry ON booking_requests (expires_at);

-- Limits on requests and codes per address, phone and email (keys hashed), per hour.
CREATE TABLE booking_limits (
    key bytea NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL DEFAULT 0,
    PRIMARY KEY (key, window_start)
);

ALTER TABLE rdvs ADD COLUMN prescripteur jsonb;
ALTER TABLE rdvs ADD COLUMN created_by_usager_account_id uuid REFERENCES usager_accounts (id) ON DELETE SET NULL;
ALTER TABLE motifs ADD COLUMN several_upcoming_allowed boolean NOT NULL DEFAULT false;

-- Finding a usager's coming appointments of a motif, for the one-at-a-time rule.
CREATE INDEX rdvs_motif_starts ON rdvs (motif_id, starts_at);
