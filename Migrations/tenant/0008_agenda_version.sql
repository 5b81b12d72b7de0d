-- A version of what slot searches read besides appointments (plages, their motifs and
-- exceptions, absences, lieux, motifs): any change draws a new random version, so that a
-- process may keep what it read and reuse it while the version stays the same. Random rather
-- than a counter: two databases never share a version.
CREATE TABLE agenda_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO agenda_version DEFAULT VALUES;

CREATE FUNCTION bump_agenda_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agenda_version SET version = gen_random_uuid();
    RETURN NULL;
END
$$;

CREATE TRIGGER plages_ouverture_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plages_ouverture
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
CREATE TRIGGER plage_motifs_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plage_motifs
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
CREATE TRIGGER plage_exceptions_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plage_exceptions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
CREATE TRIGGER absences_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON absences
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
CREATE TRIGGER lieux_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lieux
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
CREATE TRIGGER motifs_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON motifs
    FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version();
