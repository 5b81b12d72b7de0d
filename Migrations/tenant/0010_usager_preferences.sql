-- How each usager wants to be told of their appointments (the notifications work reads them).
ALTER TABLE usagers ADD COLUMN notify_by_sms boolean NOT NULL DEFAULT true;
ALTER TABLE usagers ADD COLUMN notify_by_email boolean NOT NULL DEFAULT true;
