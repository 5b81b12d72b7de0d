-- The statistics refresh asks, per département, what changed since its last run: appointments
-- (their events and updated_at), message deliveries (their attempts) and waiting-list offers.
-- Each of those timestamps exists; these indexes let the question skip the untouched rows.
CREATE INDEX rdv_events_occurred_at ON rdv_events (occurred_at);
CREATE INDEX rdvs_updated_at ON rdvs (updated_at);
CREATE INDEX rdvs_created_at ON rdvs (created_at);
CREATE INDEX message_attempts_attempted_at ON message_attempts (attempted_at);
CREATE INDEX messages_sent_at ON messages (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX waiting_list_offers_created_at ON waiting_list_offers (created_at);
