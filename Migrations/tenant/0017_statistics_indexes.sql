-- The statistics refresh asks, per département, what changed since its last run: appointments
-- (their events and updated_at), message deliveries (their attempts) and waiting-list offers.
-- These indexes let the question skip the untouched rows.
CREATE INDEX rdv_events_occurred_at ON rdv_events (occurred_at);
CREATE INDEX rdvs_updated_at ON rdvs (updated_at);
CREATE INDEX rdvs_created_at ON rdvs (created_at);
CREATE INDEX message_attempts_attempted_at ON message_attempts (attempted_at);
CREATE INDEX messages_sent_at ON messages (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX waiting_list_offers_created_at ON waiting_list_offers (created_at);

-- An offer records that it was taken only by pointing at the new appointment, and that pointer
-- goes NULL when retention deletes the appointment: the statistics would forget the offer was
-- ever taken. taken_at is set once, when the pointer is first set, and stays.
ALTER TABLE waiting_list_offers ADD COLUMN taken_at timestamptz;
UPDATE waiting_list_offers SET taken_at = created_at WHERE taken_rdv_id IS NOT NULL;
CREATE INDEX waiting_list_offers_taken_at ON waiting_list_offers (taken_at) WHERE taken_at IS NOT NULL;

CREATE FUNCTION stamp_offer_taken() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.taken_rdv_id IS NOT NULL AND OLD.taken_rdv_id IS NULL AND NEW.taken_at IS NULL THEN
        NEW.taken_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER waiting_list_offers_taken BEFORE UPDATE OF taken_rdv_id ON waiting_list_offers
    FOR EACH ROW EXECUTE FUNCTION stamp_offer_taken();
