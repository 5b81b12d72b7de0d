-- The reception desk marks who has arrived and waits: the time they were marked.
ALTER TABLE rdvs ADD COLUMN arrived_at timestamptz;
