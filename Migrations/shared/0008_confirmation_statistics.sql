-- Confirm or release, per day of the appointment: confirmed, and of those not honoured;
-- left unanswered, and of those not honoured; slots given back by a "no" or by a release.
ALTER TABLE statistics_days
    ADD COLUMN confirmed integer NOT NULL DEFAULT 0,
    ADD COLUMN noshow_confirmed integer NOT NULL DEFAULT 0,
    ADD COLUMN unanswered integer NOT NULL DEFAULT 0,
    ADD COLUMN noshow_unanswered integer NOT NULL DEFAULT 0,
    ADD COLUMN declined integer NOT NULL DEFAULT 0,
    ADD COLUMN released integer NOT NULL DEFAULT 0;
