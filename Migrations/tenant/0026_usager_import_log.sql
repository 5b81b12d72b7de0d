-- Each import of usagers and the records it created, so that a wrong file can be undone the
-- same day: the records nothing has touched since go, the others stay. A record deleted later
-- (retention, merge) leaves the log by cascade.
CREATE TABLE usager_imports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    created_count integer NOT NULL CHECK (created_count >= 0),
    completed_count integer NOT NULL CHECK (completed_count >= 0),
    skipped_count integer NOT NULL CHECK (skipped_count >= 0),
    undone_at timestamptz
);
CREATE INDEX usager_imports_time ON usager_imports (imported_at);

CREATE TABLE usager_import_records (
    import_id uuid NOT NULL REFERENCES usager_imports (id) ON DELETE CASCADE,
    usager_id uuid NOT NULL REFERENCES usagers (id) ON DELETE CASCADE,
    PRIMARY KEY (import_id, usager_id)
);
CREATE INDEX usager_import_records_usager ON usager_import_records (usager_id);
