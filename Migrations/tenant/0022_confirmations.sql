-- Confirm or release: a motif may ask the person to confirm their appointment some hours
-- before it, and say what happens when nobody answers by a second, shorter lead time.

-- NULL: the motif asks for no confirmation.
ALTER TABLE motifs ADD COLUMN confirmation_request_hours integer CHECK (confirmation_request_hours BETWEEN 2 AND 720);
ALTER TABLE motifs ADD COLUMN confirmation_deadline_hours integer NOT NULL DEFAULT 24 CHECK (confirmation_deadline_hours BETWEEN 1 AND 719);
-- flag: shown as "non confirmé"; remind: one last request; release: the slot goes to the
-- waiting list after a warning (only where the département allows it).
ALTER TABLE motifs ADD COLUMN unconfirmed_action text NOT NULL DEFAULT 'flag' CHECK (unconfirmed_action IN ('flag', 'remind', 'release'));
-- A sensitive motif's appointments are never released unless this says so.
ALTER TABLE motifs ADD COLUMN release_sensitive boolean NOT NULL DEFAULT false;
ALTER TABLE motifs ADD CONSTRAINT motifs_confirmation_lead_times
    CHECK (confirmation_request_hours IS NULL OR confirmation_request_hours > confirmation_deadline_hours);

-- Releasing an unconfirmed appointment is the département's decision, off by default.
ALTER TABLE notification_settings ADD COLUMN confirmation_release_allowed boolean NOT NULL DEFAULT false;

-- Where an appointment stands: NULL when nothing was asked; awaiting (asked, no answer yet),
-- confirmed, declined (the person freed the slot), unanswered (the deadline passed), warned
-- (told the slot goes unless they confirm), released (given back after the warning).
ALTER TABLE rdvs ADD COLUMN confirmation text
    CHECK (confirmation IN ('awaiting', 'confirmed', 'declined', 'unanswered', 'warned', 'released'));
ALTER TABLE rdvs ADD COLUMN confirmation_changed_at timestamptz;
-- A warned appointment is released at this instant unless the person answers first.
ALTER TABLE rdvs ADD COLUMN confirmation_release_at timestamptz;
-- The deadline pass looks only at the appointments still waiting for an answer.
CREATE INDEX rdvs_confirmation_due ON rdvs (starts_at) WHERE confirmation IN ('awaiting', 'warned');
