-- Whether an agent is emailed when a usager books, moves or cancels one of their appointments online.
ALTER TABLE agents ADD COLUMN notify_online_changes boolean NOT NULL DEFAULT true;
